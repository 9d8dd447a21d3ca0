// Package privfile writes files only their owner may read: transcripts,
// sandbox state dumps and webhook secrets. os.OpenFile and os.WriteFile
// give their mode only to a file they create; a file that was already
// there keeps its own (0644, say), so every write here sets it.
package privfile

import "os"

// Mode is the mode of every file written here.
const Mode = 0o600

// Create creates or empties the file at path, mode 0600 whether or not it
// existed (a regular file: a device such as /dev/null keeps its own). It is emptied before its mode changes, so what it held is not
// readable by others for longer than it was.
func Create(path string) (*os.File, error) {
	return open(path, os.O_TRUNC)
}

// Append opens the file at path to add to it, creating it if need be,
// mode 0600 as Create leaves it.
func Append(path string) (*os.File, error) {
	return open(path, os.O_APPEND)
}

func open(path string, flag int) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|flag, Mode)
	if err != nil {
		return nil, err
	}
	// Only a regular file's mode: --transcript /dev/null must not make
	// the device unreadable to everyone else (as root it would).
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		if err := f.Chmod(Mode); err != nil {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}

// Write writes data to the file at path as Create makes it.
func Write(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
