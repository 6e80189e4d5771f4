/**
 * PSCI as QEMU 7.2 provides it on `virt` (target/arm/psci.c, conduit HVC): every HVC at PL1 is a
 * PSCI call answered by the emulator itself (unknown function IDs return NOT_SUPPORTED, per SMCCC),
 * logged by QEMU's record/replay as an EXCEPTION. One CPU: CPU_ON finds it already on.
 */
import { SLEEP_WFI } from '../state.js';
import type { ArmV7aState } from './state.js';

const FN_BASE = 0x84000000;
const FN64 = 0x40000000;
const PSCI_VERSION = FN_BASE + 0;
const CPU_SUSPEND = FN_BASE + 1;
const CPU_OFF = FN_BASE + 2;
const CPU_ON = FN_BASE + 3;
const AFFINITY_INFO = FN_BASE + 4;
const MIGRATE = FN_BASE + 5;
const MIGRATE_INFO_TYPE = FN_BASE + 6;
const SYSTEM_OFF = FN_BASE + 8;
const SYSTEM_RESET = FN_BASE + 9;
const PSCI_FEATURES = FN_BASE + 0xa;
/** PSCI 0.1 function IDs QEMU still accepts (KVM's numbering). */
const FN01_CPU_SUSPEND = 0x95c1ba5e;
const FN01_CPU_OFF = 0x95c1ba5f;
const FN01_CPU_ON = 0x95c1ba60;
const FN01_MIGRATE = 0x95c1ba61;

const RET_SUCCESS = 0;
const RET_NOT_SUPPORTED = -1;
const RET_INVALID_PARAMS = -2;
const RET_ALREADY_ON = -4;
const VERSION_1_1 = 0x00010001;
const TOS_MIGRATION_NOT_REQUIRED = 2;

/** Functions PSCI_FEATURES reports as implemented (32-bit IDs; the 64-bit ones fail from A32). */
const FEATURES = new Set<number>([
  PSCI_VERSION,
  MIGRATE_INFO_TYPE,
  AFFINITY_INFO,
  AFFINITY_INFO + FN64,
  SYSTEM_RESET,
  SYSTEM_OFF,
  FN01_CPU_ON,
  CPU_ON,
  CPU_ON + FN64,
  FN01_CPU_OFF,
  CPU_OFF,
  FN01_CPU_SUSPEND,
  CPU_SUSPEND,
  CPU_SUSPEND + FN64,
  PSCI_FEATURES,
]);

export interface PsciPlatform {
  /** SYSTEM_OFF: the machine powers off (QEMU exits with status 0). */
  systemOff(): void;
  /** SYSTEM_RESET: the machine resets. */
  systemReset(): void;
}

export class Psci {
  constructor(
    private readonly state: ArmV7aState,
    private readonly platform: PsciPlatform,
  ) {}

  /** Perform the call in r0-r3; the result goes to r0. */
  call(): void {
    const st = this.state;
    const r = st.r;
    const fn = r[0]! >>> 0;
    let ret = RET_NOT_SUPPORTED;
    if ((fn & FN64) !== 0) {
      // SMC64/HVC64 function IDs from AArch32 (SMCCC).
      r[0] = RET_NOT_SUPPORTED;
      return;
    }
    switch (fn) {
      case PSCI_VERSION:
        ret = VERSION_1_1;
        break;
      case MIGRATE_INFO_TYPE:
        ret = TOS_MIGRATION_NOT_REQUIRED;
        break;
      case AFFINITY_INFO:
        // The one CPU (affinity 0) is on; higher affinity levels are not supported by QEMU.
        ret = r[2] !== 0 || (r[1]! & 0xffffff) !== 0 ? RET_INVALID_PARAMS : 0;
        break;
      case CPU_ON:
      case FN01_CPU_ON:
        ret = (r[1]! & 0xffffff) === 0 ? RET_ALREADY_ON : RET_INVALID_PARAMS;
        break;
      case CPU_OFF:
      case FN01_CPU_OFF:
        // The only CPU powers off: nothing runs any more (QEMU's halted vCPU).
        st.sleep = SLEEP_WFI;
        st.aif |= 0xc0;
        ret = RET_SUCCESS;
        break;
      case CPU_SUSPEND:
      case FN01_CPU_SUSPEND:
        if ((r[1]! & 0xfffe0000) !== 0) {
          ret = RET_INVALID_PARAMS;
          break;
        }
        // Powerdown is not supported: QEMU returns 0 and waits for an interrupt (WFI).
        ret = RET_SUCCESS;
        st.sleep = SLEEP_WFI;
        break;
      case MIGRATE:
      case FN01_MIGRATE:
        ret = RET_NOT_SUPPORTED;
        break;
      case PSCI_FEATURES:
        ret = FEATURES.has(r[1]! >>> 0) && (r[1]! & FN64) === 0 ? 0 : RET_NOT_SUPPORTED;
        break;
      case SYSTEM_OFF:
        this.platform.systemOff();
        ret = RET_SUCCESS;
        break;
      case SYSTEM_RESET:
        this.platform.systemReset();
        ret = RET_SUCCESS;
        break;
      default:
        ret = RET_NOT_SUPPORTED;
    }
    r[0] = ret;
  }
}
