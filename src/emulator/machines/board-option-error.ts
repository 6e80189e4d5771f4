/** A board option or image that does not fit the machine (wrong profile, unknown CPU, bad size): a usage error. */
export class BoardOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BoardOptionError';
  }
}
