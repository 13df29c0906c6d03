// libjpeg-turbo's API, found through pkg-config ("libjpeg"). jpeglib.h needs stdio.h first
// (FILE, size_t). Only the C wrapper in _CJPEG includes it; Swift never calls libjpeg directly,
// because libjpeg reports errors by longjmp, which Swift frames must not be unwound through.
#include <stdio.h>
#include <jpeglib.h>
