// See _CPNG.h. png_image's `message` holds libpng's reason when a call returns 0.
#include <stdio.h>
#include <string.h>
#include <png.h>
#include "_CPNG.h"

static void report(char *message, size_t capacity, const char *text) {
    if (message != NULL && capacity > 0) snprintf(message, capacity, "%s", text);
}

static int begin(png_image *image, const unsigned char *data, size_t size, char *message, size_t capacity) {
    memset(image, 0, sizeof *image);
    image->version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(image, data, size)) {
        report(message, capacity, image->message);
        png_image_free(image);
        return CPNG_CORRUPT;
    }
    return CPNG_OK;
}

int cpng_read_size(const unsigned char *data, size_t size, int *width, int *height,
                   char *message, size_t message_capacity) {
    png_image image;
    int status = begin(&image, data, size, message, message_capacity);
    if (status != CPNG_OK) return status;
    *width = (int)image.width;
    *height = (int)image.height;
    png_image_free(&image);
    return CPNG_OK;
}

int cpng_decode_rgb(const unsigned char *data, size_t size, unsigned char *pixels, size_t capacity,
                    int *width, int *height, char *message, size_t message_capacity) {
    png_image image;
    int status = begin(&image, data, size, message, message_capacity);
    if (status != CPNG_OK) return status;
    *width = (int)image.width;
    *height = (int)image.height;
    image.format = PNG_FORMAT_RGB;
    if (PNG_IMAGE_SIZE(image) > capacity) {
        report(message, message_capacity, "output buffer too small");
        png_image_free(&image);
        return CPNG_BUFFER_TOO_SMALL;
    }
    png_color white = {255, 255, 255};
    if (!png_image_finish_read(&image, &white, pixels, 0, NULL)) {
        report(message, message_capacity, image.message);
        png_image_free(&image);
        return CPNG_CORRUPT;
    }
    return CPNG_OK;
}

int cpng_encode_rgb(const unsigned char *pixels, int width, int height, unsigned char *out, size_t *size,
                    char *message, size_t message_capacity) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)width;
    image.height = (png_uint_32)height;
    image.format = PNG_FORMAT_RGB;
    if (out == NULL) {
        *size = PNG_IMAGE_PNG_SIZE_MAX(image);
        return CPNG_OK;
    }
    png_alloc_size_t written = *size;
    if (!png_image_write_to_memory(&image, out, &written, 0, pixels, 0, NULL)) {
        if (written > *size) {
            *size = written;
            report(message, message_capacity, "output buffer too small");
            return CPNG_BUFFER_TOO_SMALL;
        }
        report(message, message_capacity, image.message);
        return CPNG_CORRUPT;
    }
    *size = written;
    return CPNG_OK;
}
