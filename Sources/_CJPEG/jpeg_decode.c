// libjpeg error handling, made safe: `fail` longjmps back into the function that set the jump
// buffer, which cleans up and returns a status. See _CJPEG.h.
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>
#include "_CJPEG.h"

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
    size_t capacity;
} guard_t;

static void fail(j_common_ptr cinfo) {
    guard_t *guard = (guard_t *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    if (guard->message != NULL && guard->capacity > 0) {
        snprintf(guard->message, guard->capacity, "%s", text);
    }
    longjmp(guard->jump, 1);
}

// Warnings (level -1) that mean the pixels are wrong fail the decode; the rest (an unknown JFIF
// revision, a bad thumbnail, extra bytes between markers) leave a correct image and are ignored.
static void on_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return;
    switch (cinfo->err->msg_code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
    case JWRN_BOGUS_PROGRESSION:
        fail(cinfo);
        break;
    default:
        cinfo->err->num_warnings++;
    }
}

// Zeroed first, so that jpeg_destroy_decompress is safe even if jpeg_create_decompress failed.
static void install(struct jpeg_decompress_struct *cinfo, guard_t *guard, char *message, size_t capacity) {
    memset(cinfo, 0, sizeof *cinfo);
    cinfo->err = jpeg_std_error(&guard->base);
    guard->base.error_exit = fail;
    guard->base.emit_message = on_message;
    guard->message = message;
    guard->capacity = capacity;
    if (message != NULL && capacity > 0) message[0] = 0;
}

int cjpeg_read_size(const unsigned char *data, size_t size, int *width, int *height,
                    char *message, size_t message_capacity) {
    struct jpeg_decompress_struct cinfo;
    guard_t guard;
    install(&cinfo, &guard, message, message_capacity);
    if (setjmp(guard.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return CJPEG_CORRUPT;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    *width = (int)cinfo.image_width;
    *height = (int)cinfo.image_height;
    jpeg_destroy_decompress(&cinfo);
    return CJPEG_OK;
}

// Adobe writes CMYK JPEGs inverted (0 = full ink), which is what libjpeg hands back; with ink
// inverted, the naive conversion is a product.
static void cmyk_to_rgb(const unsigned char *cmyk, unsigned char *rgb, size_t count) {
    for (size_t k = 0; k < count; k++) {
        unsigned int key = cmyk[4 * k + 3];
        for (int c = 0; c < 3; c++) rgb[3 * k + c] = (unsigned char)((cmyk[4 * k + c] * key + 127) / 255);
    }
}

int cjpeg_decode_rgb(const unsigned char *data, size_t size, unsigned char *pixels, size_t capacity,
                     int *width, int *height, char *message, size_t message_capacity) {
    struct jpeg_decompress_struct cinfo;
    guard_t guard;
    unsigned char *volatile row = NULL;
    install(&cinfo, &guard, message, message_capacity);
    if (setjmp(guard.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(row);
        return CJPEG_CORRUPT;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(&cinfo);
    size_t w = cinfo.output_width, h = cinfo.output_height;
    *width = (int)w;
    *height = (int)h;
    if (w * h * 3 > capacity) {
        if (message != NULL && message_capacity > 0) {
            snprintf(message, message_capacity, "output buffer of %zu bytes is too small for %zux%zu RGB", capacity, w, h);
        }
        jpeg_destroy_decompress(&cinfo);
        return CJPEG_BUFFER_TOO_SMALL;
    }
    if (cmyk) {
        row = malloc(w * 4);
        if (row == NULL) {
            if (message != NULL && message_capacity > 0) snprintf(message, message_capacity, "out of memory");
            jpeg_destroy_decompress(&cinfo);
            return CJPEG_CORRUPT;
        }
    }
    while (cinfo.output_scanline < h) {
        unsigned char *target = pixels + (size_t)cinfo.output_scanline * w * 3;
        JSAMPROW line = cmyk ? row : target;
        jpeg_read_scanlines(&cinfo, &line, 1);
        if (cmyk) cmyk_to_rgb(row, target, w);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);
    return CJPEG_OK;
}
