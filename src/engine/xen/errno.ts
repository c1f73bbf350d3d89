// errno values returned by hypercalls and kernel functions.
export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const ENOMEM = 12;
export const EBUSY = 16;
export const EEXIST = 17;
export const ENODEV = 19;
export const EINVAL = 22;
export const ENOSPC = 28;
export const ERANGE = 34;
export const ENOSYS = 38;
