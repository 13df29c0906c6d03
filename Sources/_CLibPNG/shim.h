// libpng's API, found through pkg-config ("libpng"). Only the C wrapper in _CPNG includes it: it
// uses libpng's simplified API (png_image), which catches libpng's longjmp errors internally.
#include <png.h>
