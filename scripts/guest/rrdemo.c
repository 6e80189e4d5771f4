/*
 * rrdemo: the user-space program of armrr's Linux guest, with a bug to find by debugging
 * backwards. It fills a table of sensor samples and prints a checksum keyed by `calibration`;
 * fill_samples writes one slot too many (samples[SAMPLES] is past the end), and the store lands on
 * `calibration`, which sits right after the table. The program notices the changed key only at the
 * end: set a watchpoint on `table.calibration` and reverse-continue to the guilty store.
 */
#include <stdio.h>

#define SAMPLES 8
#define CALIBRATION 0x5eed1234u

struct sensor_table {
  unsigned samples[SAMPLES];
  unsigned calibration;
};

static struct sensor_table table = { { 0 }, CALIBRATION };

static unsigned sample(unsigned i) {
  return (i * 2654435761u) >> 7;
}

/* The bug: `<=` visits index SAMPLES, one past the end of samples[]. */
static void __attribute__((noinline)) fill_samples(struct sensor_table *t) {
  for (unsigned i = 0; i <= SAMPLES; i++) t->samples[i] = sample(i);
}

static unsigned __attribute__((noinline)) checksum(const struct sensor_table *t) {
  unsigned sum = t->calibration;
  for (unsigned i = 0; i < SAMPLES; i++) sum = (sum << 5 | sum >> 27) ^ t->samples[i];
  return sum;
}

int main(void) {
  fill_samples(&table);
  unsigned sum = checksum(&table);
  printf("rrdemo: checksum 0x%08x\n", sum);
  if (table.calibration != CALIBRATION) {
    printf("rrdemo: calibration corrupted: 0x%08x, expected 0x%08x\n", table.calibration, CALIBRATION);
    return 1;
  }
  return 0;
}
