#ifndef AUTOLOSS_CJPEG_H
#define AUTOLOSS_CJPEG_H
// A thin C layer over libjpeg-turbo: libjpeg reports errors through a callback that must not
// return, so the wrapper catches them with setjmp/longjmp here, in C, and hands Swift a status
// code and a message instead of letting libjpeg end the process.

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Status codes of the functions below.
enum {
    CJPEG_OK = 0,
    /// libjpeg refused the data (not a JPEG, corrupt, truncated); the message says why.
    CJPEG_CORRUPT = 1,
    /// The output buffer is smaller than width * height * 3 bytes.
    CJPEG_BUFFER_TOO_SMALL = 2,
};

/// Reads the header of the JPEG in `data` and stores its pixel size. No pixel data is decoded.
int cjpeg_read_size(const unsigned char *data, size_t size, int *width, int *height,
                    char *message, size_t message_capacity);

/// Decodes the JPEG in `data` to interleaved 8-bit RGB, row by row from the top, into `pixels`
/// (`capacity` bytes, at least width * height * 3). Grayscale and CMYK images are converted.
/// A truncated file or corrupt entropy-coded data fails with CJPEG_CORRUPT, although libjpeg
/// itself would only warn and fill the rest with grey: a silently grey image is wrong data.
int cjpeg_decode_rgb(const unsigned char *data, size_t size, unsigned char *pixels, size_t capacity,
                     int *width, int *height, char *message, size_t message_capacity);

#ifdef __cplusplus
}
#endif

#endif
