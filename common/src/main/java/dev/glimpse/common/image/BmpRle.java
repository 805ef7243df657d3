package dev.glimpse.common.image;

/**
 * Walks a BMP's RLE4/RLE8 stream without decoding it: every run and literal must stay inside its
 * row, rows inside the image, and the stream must end with an end-of-bitmap code before the file
 * does. Decoders handle violations each their own way (drop, wrap, clip), so they are refusals.
 */
final class BmpRle {
    private BmpRle() {}

    static void check(byte[] b, int start, int width, int height, boolean rle4) {
        int p = start;
        long x = 0;
        long y = 0;
        while (true) {
            if (p + 2 > b.length) {
                throw ImageProblem.truncated(ImageFormat.BMP, "the RLE data has no end-of-bitmap code");
            }
            int count = b[p] & 0xFF;
            int code = b[p + 1] & 0xFF;
            p += 2;
            if (count > 0) {
                x += count;
                inside(x, y, width, height);
                continue;
            }
            switch (code) {
                case 0 -> { // end of line
                    x = 0;
                    y++;
                }
                case 1 -> { // end of bitmap
                    return;
                }
                case 2 -> { // delta
                    if (p + 2 > b.length) {
                        throw ImageProblem.truncated(ImageFormat.BMP, "the RLE data ends inside a delta");
                    }
                    x += b[p] & 0xFF;
                    y += b[p + 1] & 0xFF;
                    p += 2;
                    if (x > width || y > height) {
                        throw ImageProblem.corrupt(ImageFormat.BMP, "an RLE delta moves outside the image");
                    }
                }
                default -> { // literal run of `code` pixels, padded to an even number of bytes
                    int bytes = rle4 ? (code + 1) / 2 : code;
                    p += bytes + (bytes & 1);
                    if (p > b.length) {
                        throw ImageProblem.truncated(ImageFormat.BMP, "the RLE data ends inside a literal run");
                    }
                    x += code;
                    inside(x, y, width, height);
                }
            }
        }
    }

    private static void inside(long x, long y, int width, int height) {
        if (y >= height) {
            throw ImageProblem.corrupt(ImageFormat.BMP, "RLE data continues past the last row");
        }
        if (x > width) {
            throw ImageProblem.corrupt(ImageFormat.BMP, "an RLE run goes past the end of row " + y);
        }
    }
}
