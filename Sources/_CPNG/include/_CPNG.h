#ifndef AUTOLOSS_CPNG_H
#define AUTOLOSS_CPNG_H
// A thin C layer over libpng's simplified API (png_image): libpng reports errors by longjmp,
// which the simplified API catches itself; this layer hands Swift status codes, messages and plain
// byte buffers, and keeps libpng's macros (PNG_IMAGE_SIZE, format flags) out of Swift.

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    CPNG_OK = 0,
    /// libpng refused the data (not a PNG, corrupt, truncated); the message says why.
    CPNG_CORRUPT = 1,
    /// The output buffer is too small; for encoding, `*size` holds the size needed.
    CPNG_BUFFER_TOO_SMALL = 2,
};

/// Reads the PNG header in `data` and stores its pixel size. No pixel data is decoded.
int cpng_read_size(const unsigned char *data, size_t size, int *width, int *height,
                   char *message, size_t message_capacity);

/// Decodes the PNG in `data` to interleaved 8-bit sRGB, top row first, into `pixels`
/// (`capacity` bytes, at least width * height * 3). Grayscale, palette and 16-bit images are
/// converted; an alpha channel is composed onto white.
int cpng_decode_rgb(const unsigned char *data, size_t size, unsigned char *pixels, size_t capacity,
                    int *width, int *height, char *message, size_t message_capacity);

/// Encodes interleaved 8-bit RGB (top row first) as PNG into `out` (`*size` bytes available).
/// On success `*size` is the encoded length. Call with `out` NULL to learn an upper bound.
int cpng_encode_rgb(const unsigned char *pixels, int width, int height, unsigned char *out, size_t *size,
                    char *message, size_t message_capacity);

#ifdef __cplusplus
}
#endif

#endif
