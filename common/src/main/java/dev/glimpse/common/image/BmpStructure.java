package dev.glimpse.common.image;

/**
 * The layout of a BMP checked against its own header before decoding. Neither ImageIO's BMP reader
 * nor Commons Imaging's checks that the header's parts add up: a palette that runs into the
 * pixels, pixel rows that end past the file, RLE runs that write outside the image (the JDK
 * reader drops them, others wrap or clip), a compression the bit depth cannot have. Such a file has
 * no single right picture, so it is refused.
 */
final class BmpStructure {
    private static final ImageFormat BMP = ImageFormat.BMP;
    private static final int RGB = 0;
    private static final int RLE8 = 1;
    private static final int RLE4 = 2;
    private static final int BITFIELDS = 3;
    private static final int JPEG = 4;
    private static final int PNG = 5;
    private static final int ALPHABITFIELDS = 6;

    /** The image size from the header (height made positive) and its palette's colours (-1: none). */
    record Info(int width, int height, int paletteSize) {}

    private BmpStructure() {}

    static Info check(byte[] b) {
        if (b.length < 26) {
            throw ImageProblem.truncated(BMP, "the headers end early");
        }
        long fileSize = u32(b, 2);
        long pixelOffset = u32(b, 10);
        long headerSize = u32(b, 14);
        boolean core = headerSize == 12;
        if (!(core || headerSize == 16 || headerSize == 40 || headerSize == 52 || headerSize == 56
                || headerSize == 64 || headerSize == 108 || headerSize == 124)) {
            throw ImageProblem.corrupt(BMP, "unknown header size " + headerSize);
        }
        if (14 + headerSize > b.length) {
            throw ImageProblem.truncated(BMP, "the headers end early");
        }
        long width = core ? u16(b, 18) : s32(b, 18);
        long height = core ? u16(b, 20) : s32(b, 22);
        int planes = core ? u16(b, 22) : u16(b, 26);
        int bpp = core ? u16(b, 24) : u16(b, 28);
        long compression = headerSize >= 40 ? u32(b, 30) : RGB;
        long colorsUsed = headerSize >= 40 ? u32(b, 46) : 0;
        if (fileSize != 0 && fileSize > b.length) {
            throw ImageProblem.truncated(BMP, "the header gives a file of " + fileSize + " bytes, " + b.length + " are here");
        }
        if (planes != 1) {
            throw ImageProblem.corrupt(BMP, planes + " planes");
        }
        if (width <= 0 || height == 0 || height == Integer.MIN_VALUE) {
            throw ImageProblem.corrupt(BMP, "image size " + width + "x" + height + " is invalid");
        }
        boolean topDown = height < 0;
        int rows = (int) Math.abs(height);
        checkDepth(bpp, compression, headerSize, topDown);
        if (pixelOffset < 14 + headerSize || pixelOffset >= b.length) {
            throw ImageProblem.corrupt(BMP, "pixel data offset " + pixelOffset + " is outside the file");
        }
        long paletteStart = 14 + headerSize
                + (headerSize == 40 && compression == BITFIELDS ? 12 : 0)
                + (headerSize == 40 && compression == ALPHABITFIELDS ? 16 : 0);
        long colors = -1;
        if (bpp <= 8 && bpp > 0) {
            colors = colorsUsed == 0 ? 1L << bpp : colorsUsed;
            long paletteEnd = paletteStart + colors * (core ? 3 : 4);
            if (colorsUsed > 1L << bpp && colorsUsed > 256 || paletteEnd > pixelOffset) {
                throw ImageProblem.corrupt(BMP, "a palette of " + colors + " colours does not fit before the pixel data");
            }
        } else if (paletteStart > pixelOffset) {
            throw ImageProblem.corrupt(BMP, "the colour masks run into the pixel data");
        }
        if (compression == RGB || compression == BITFIELDS || compression == ALPHABITFIELDS) {
            long rowBytes = (width * bpp + 31) / 32 * 4;
            long needed = rowBytes * rows;
            if (pixelOffset + needed > b.length) {
                throw ImageProblem.truncated(BMP, width + "x" + rows + " pixels need " + needed + " bytes, "
                        + (b.length - pixelOffset) + " are here");
            }
        } else if (compression == RLE8 || compression == RLE4) {
            BmpRle.check(b, (int) pixelOffset, (int) width, rows, compression == RLE4);
        }
        return new Info((int) width, rows, (int) colors);
    }

    private static void checkDepth(int bpp, long compression, long headerSize, boolean topDown) {
        boolean ok = switch ((int) Math.min(compression, Integer.MAX_VALUE)) {
            case RGB -> bpp == 1 || bpp == 2 || bpp == 4 || bpp == 8 || bpp == 16 || bpp == 24 || bpp == 32;
            case RLE8 -> bpp == 8;
            case RLE4 -> bpp == 4 || headerSize == 64 && bpp == 24; // OS/2 2.x: RLE24
            case BITFIELDS -> bpp == 16 || bpp == 32 || headerSize == 64 && bpp == 1; // OS/2 2.x: Huffman 1D
            case JPEG, PNG -> bpp == 0;
            case ALPHABITFIELDS -> bpp == 16 || bpp == 32;
            default -> true; // CMYK variants and others: left to the decoders, which refuse what they cannot read
        };
        if (!ok) {
            throw ImageProblem.corrupt(BMP, "compression " + compression + " is invalid with " + bpp + " bits per pixel");
        }
        if (topDown && (compression == RLE8 || compression == RLE4)) {
            throw ImageProblem.corrupt(BMP, "RLE-compressed image stored top-down");
        }
    }

    static long u32(byte[] b, int p) {
        return (b[p] & 0xFFL) | (b[p + 1] & 0xFFL) << 8 | (b[p + 2] & 0xFFL) << 16 | (b[p + 3] & 0xFFL) << 24;
    }

    static long s32(byte[] b, int p) {
        return (int) u32(b, p);
    }

    static int u16(byte[] b, int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8;
    }
}
