//go:build !unix || aix

package atomicfile

import "os"

// Without flock, Lock only creates the lock file.
func tryLock(*os.File) (bool, error) { return true, nil }

func unlockFile(*os.File) {}
