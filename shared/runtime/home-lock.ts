import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export class HomeInUseError extends Error {
  override name = 'HomeInUseError';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One runtime per OUTBOARD_HOME: its queues treat messages held by any other receiver as orphaned,
 * which is only true if no other runtime is alive. A lock left by a killed runtime is taken over.
 */
export function acquireHomeLock(home: string, lockPath: string): () => void {
  mkdirSync(home, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        try {
          if (readFileSync(lockPath, 'utf8').trim() === String(process.pid)) rmSync(lockPath);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) {
        throw new HomeInUseError(
          `OUTBOARD_HOME ${home} is in use by the runtime with pid ${pid}; not started`,
        );
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new HomeInUseError(`could not take the lock ${lockPath}`);
}
