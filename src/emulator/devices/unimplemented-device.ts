/**
 * A region QEMU covers with `create_unimplemented_device`: reads return 0 and writes are ignored
 * (QEMU only logs them with `-d unimp`), so firmware probing these addresses does not fault.
 */
import { Device } from './device.js';

export class UnimplementedDevice extends Device<Record<string, never>> {
  constructor(name: string) {
    super(name, {});
  }
  read(_offset: number, _size: 1 | 2 | 4): number {
    return 0;
  }
  write(_offset: number, _value: number, _size: 1 | 2 | 4): void {}
}
