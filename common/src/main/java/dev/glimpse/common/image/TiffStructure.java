package dev.glimpse.common.image;

import java.io.IOException;
import org.apache.commons.imaging.FormatCompliance;
import org.apache.commons.imaging.ImagingException;
import org.apache.commons.imaging.bytesource.ByteSource;
import org.apache.commons.imaging.formats.tiff.TiffContents;
import org.apache.commons.imaging.formats.tiff.TiffDirectory;
import org.apache.commons.imaging.formats.tiff.TiffField;
import org.apache.commons.imaging.formats.tiff.TiffReader;
import org.apache.commons.imaging.formats.tiff.constants.TiffTagConstants;
import org.apache.commons.imaging.formats.tiff.taginfos.TagInfo;

/**
 * The first directory of a TIFF, read by Commons Imaging and held to the baseline TIFF rules the
 * pixels depend on: a size, one BitsPerSample per sample, as many strips (or tiles) as the image
 * needs, each inside the file, uncompressed strips long enough for their rows, a palette image
 * with one colour sample and a full colour map, and no tag twice. The TwelveMonkeys reader fills what is missing with
 * defaults or zeros, so a fuzzed TIFF would otherwise decode to some picture.
 */
final class TiffStructure {
    private static final ImageFormat TIFF = ImageFormat.TIFF;

    record Info(int width, int height) {}

    private TiffStructure() {}

    static Info check(byte[] bytes) {
        TiffDirectory ifd;
        try {
            TiffContents contents = new TiffReader(false).readFirstDirectory(ByteSource.array(bytes), false, FormatCompliance.getDefault());
            if (contents.directories.isEmpty()) {
                throw ImageProblem.corrupt(TIFF, "no image directory");
            }
            ifd = contents.directories.get(0);
            return check(ifd, bytes.length);
        } catch (ImagingException e) {
            throw ImageProblem.corrupt(TIFF, message(e));
        } catch (IOException e) {
            throw ImageProblem.truncated(TIFF, "the image directory runs past the end of the file");
        }
    }

    private static Info check(TiffDirectory ifd, long fileLength) throws ImagingException {
        java.util.Set<Integer> tags = new java.util.HashSet<>();
        for (TiffField f : ifd.getDirectoryEntries()) {
            if (!tags.add(f.getTag())) {
                // Which of the two values applies is up to each decoder: a fuzzed file's hallmark.
                throw ImageProblem.corrupt(TIFF, "tag " + f.getTag() + " (" + f.getTagName() + ") appears twice");
            }
        }
        long width = value(ifd, TiffTagConstants.TIFF_TAG_IMAGE_WIDTH, -1);
        long height = value(ifd, TiffTagConstants.TIFF_TAG_IMAGE_LENGTH, -1);
        if (width <= 0 || height <= 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw ImageProblem.corrupt(TIFF, "image size " + width + "x" + height + " is invalid");
        }
        long samples = value(ifd, TiffTagConstants.TIFF_TAG_SAMPLES_PER_PIXEL, 1);
        if (samples < 1 || samples > 16) {
            throw ImageProblem.corrupt(TIFF, samples + " samples per pixel");
        }
        long[] bits = values(ifd, TiffTagConstants.TIFF_TAG_BITS_PER_SAMPLE, new long[] {1});
        if (bits.length != 1 && bits.length != samples) {
            throw ImageProblem.corrupt(TIFF, bits.length + " BitsPerSample values for " + samples + " samples");
        }
        long bitsPerPixel = 0;
        for (int s = 0; s < samples; s++) {
            long b = bits[Math.min(s, bits.length - 1)];
            if (b < 1 || b > 64) {
                throw ImageProblem.corrupt(TIFF, b + " bits per sample");
            }
            bitsPerPixel += b;
        }
        long photometric = value(ifd, TiffTagConstants.TIFF_TAG_PHOTOMETRIC_INTERPRETATION, -1);
        long extra = values(ifd, TiffTagConstants.TIFF_TAG_EXTRA_SAMPLES, new long[0]).length;
        if (photometric == 3) {
            if (samples - extra != 1 || bits[0] > 16) {
                throw ImageProblem.corrupt(TIFF, "palette image with " + samples + " samples of " + bits[0] + " bits");
            }
            long[] map = values(ifd, TiffTagConstants.TIFF_TAG_COLOR_MAP, new long[0]);
            if (map.length != 3L << bits[0]) {
                throw ImageProblem.corrupt(TIFF, "colour map of " + map.length + " values for " + bits[0] + "-bit indexes");
            }
        }
        long compression = value(ifd, TiffTagConstants.TIFF_TAG_COMPRESSION, 1);
        long planar = value(ifd, TiffTagConstants.TIFF_TAG_PLANAR_CONFIGURATION, 1);
        if (planar != 1 && planar != 2) {
            throw ImageProblem.corrupt(TIFF, "planar configuration " + planar);
        }
        long planes = planar == 2 ? samples : 1;
        long tileWidth = value(ifd, TiffTagConstants.TIFF_TAG_TILE_WIDTH, -1);
        long[] offsets;
        long[] counts;
        long blocks;
        long blockRows;
        long blockWidth;
        if (tileWidth >= 0) {
            long tileLength = value(ifd, TiffTagConstants.TIFF_TAG_TILE_LENGTH, -1);
            if (tileWidth <= 0 || tileLength <= 0) {
                throw ImageProblem.corrupt(TIFF, "tile size " + tileWidth + "x" + tileLength + " is invalid");
            }
            offsets = values(ifd, TiffTagConstants.TIFF_TAG_TILE_OFFSETS, null);
            counts = values(ifd, TiffTagConstants.TIFF_TAG_TILE_BYTE_COUNTS, null);
            blocks = ceil(width, tileWidth) * ceil(height, tileLength) * planes;
            blockRows = tileLength;
            blockWidth = tileWidth;
        } else {
            long rowsPerStrip = Math.min(value(ifd, TiffTagConstants.TIFF_TAG_ROWS_PER_STRIP, height), height);
            if (rowsPerStrip <= 0) {
                throw ImageProblem.corrupt(TIFF, "RowsPerStrip " + rowsPerStrip);
            }
            offsets = values(ifd, TiffTagConstants.TIFF_TAG_STRIP_OFFSETS, null);
            counts = values(ifd, TiffTagConstants.TIFF_TAG_STRIP_BYTE_COUNTS, null);
            blocks = ceil(height, rowsPerStrip) * planes;
            blockRows = rowsPerStrip;
            blockWidth = width;
        }
        if (offsets == null) {
            throw ImageProblem.corrupt(TIFF, "no strip or tile offsets");
        }
        if (offsets.length != blocks || counts != null && counts.length != offsets.length) {
            throw ImageProblem.corrupt(TIFF, offsets.length + " strip/tile offsets and " + (counts == null ? 0 : counts.length)
                    + " byte counts where the image has " + blocks + " strips/tiles");
        }
        long rowBits = blockWidth * (planar == 2 ? bits[0] : bitsPerPixel);
        long blockBytes = (rowBits + 7) / 8 * blockRows;
        for (int i = 0; i < offsets.length; i++) {
            long count = counts != null ? counts[i] : compression == 1 ? blockBytes : -1;
            if (count <= 0 || offsets[i] < 8 || offsets[i] + count > fileLength) {
                throw ImageProblem.corrupt(TIFF, "strip/tile " + i + " (" + count + " bytes at " + offsets[i] + ") lies outside the file");
            }
            if (compression == 1 && tileWidth < 0 && count < (rowBits + 7) / 8 * Math.min(blockRows, height - i % ceil(height, blockRows) * blockRows)) {
                throw ImageProblem.truncated(TIFF, "strip " + i + " holds " + count + " bytes, fewer than its rows need");
            }
        }
        return new Info((int) width, (int) height);
    }

    private static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }

    private static long value(TiffDirectory ifd, TagInfo tag, long missing) throws ImagingException {
        TiffField f = ifd.findField(tag);
        if (f == null) {
            return missing;
        }
        long[] v = values(ifd, tag, null);
        if (v.length != 1) {
            throw ImageProblem.corrupt(TIFF, tag.name + " has " + v.length + " values, expected 1");
        }
        return v[0];
    }

    /** A field's values as unsigned numbers (SHORT and LONG fields are unsigned; Commons Imaging sign-extends them). */
    private static long[] values(TiffDirectory ifd, TagInfo tag, long[] missing) throws ImagingException {
        TiffField f = ifd.findField(tag);
        if (f == null) {
            return missing;
        }
        long[] v = f.getLongArrayValue();
        long mask = f.getFieldType().getType() == 3 ? 0xFFFFL : 0xFFFFFFFFL;
        for (int i = 0; i < v.length; i++) {
            v[i] &= mask;
        }
        return v;
    }

    private static String message(Exception e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.replaceAll("\\s+", " ").strip();
    }
}
