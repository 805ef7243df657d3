package dev.glimpse.common.image;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import org.apache.commons.imaging.icc.IccProfileInfo;
import org.apache.commons.imaging.icc.IccProfileParser;

/**
 * Embedded ICC profiles for decoders that ignore them (the JDK's PNG reader; the TwelveMonkeys
 * readers apply a JPEG's, TIFF's or WebP's profile themselves). The pixels of an Adobe RGB or
 * ProPhoto photo are numbers in that space: shown as sRGB they come out dull or garish, so they are
 * converted to sRGB here. Commons Imaging parses and checks the profile before Java's colour
 * management sees it; a profile it cannot read, of the wrong kind, or sRGB itself leaves the pixels
 * as they are (as browsers do), since it says nothing usable about them.
 */
final class IccColor {
    private static final int RGB = 0x52474220;  // 'RGB '
    private static final int GRAY = 0x47524159; // 'GRAY'

    private IccColor() {}

    /** The profile if it describes a non-sRGB space with {@code gray ? 1 : 3} colour channels; else null. */
    static ICC_Profile usable(byte[] bytes, boolean gray) {
        if (bytes == null || bytes.length < 132) {
            return null;
        }
        try {
            IccProfileInfo info = new IccProfileParser().getIccProfileInfo(bytes);
            if (info == null || info.colorSpace != (gray ? GRAY : RGB) || info.isSrgb()) {
                return null;
            }
            ICC_Profile profile = ICC_Profile.getInstance(bytes);
            // Building the colour space makes Java's colour management parse the whole profile now.
            new ICC_ColorSpace(profile).toRGB(new float[profile.getNumComponents()]);
            return profile;
        } catch (Exception | StackOverflowError e) {
            return null;
        }
    }

    /** Compact INT_RGB pixels holding the profile's device values, converted to sRGB. */
    static BufferedImage toSrgb(BufferedImage rgb, ICC_Profile profile) {
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        int[] in = ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
        if (profile.getColorSpaceType() == ColorSpace.TYPE_GRAY) {
            return grayToSrgb(rgb, in, new ICC_ColorSpace(profile));
        }
        // As interleaved bytes, which Java's colour management converts in one native pass.
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 3, null);
        byte[] bytes = ((DataBufferByte) raster.getDataBuffer()).getData();
        for (int i = 0, p = 0; i < in.length; i++) {
            int v = in[i];
            bytes[p++] = (byte) (v >> 16);
            bytes[p++] = (byte) (v >> 8);
            bytes[p++] = (byte) v;
        }
        // Raster to raster: Java's colour management converts interleaved bytes in one native pass
        // (through images of its custom layout it took three times as long).
        WritableRaster converted = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 3, null);
        new ColorConvertOp(new ICC_Profile[] {profile, ICC_Profile.getInstance(ColorSpace.CS_sRGB)}, null)
                .filter(raster, converted);
        BufferedImage srgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] out = ((DataBufferInt) srgb.getRaster().getDataBuffer()).getData();
        byte[] c = ((DataBufferByte) converted.getDataBuffer()).getData();
        for (int i = 0, p = 0; i < out.length; i++, p += 3) {
            out[i] = ((c[p] & 0xFF) << 16) | ((c[p + 1] & 0xFF) << 8) | (c[p + 2] & 0xFF);
        }
        return srgb;
    }

    /** A gray profile maps each of the 256 gray levels to one sRGB colour: a table does the image. */
    private static BufferedImage grayToSrgb(BufferedImage rgb, int[] in, ICC_ColorSpace space) {
        int[] table = new int[256];
        for (int v = 0; v < 256; v++) {
            float[] c = space.toRGB(new float[] {v / 255f});
            table[v] = (channel(c[0]) << 16) | (channel(c[1]) << 8) | channel(c[2]);
        }
        BufferedImage dst = new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_INT_RGB);
        int[] out = ((DataBufferInt) dst.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < in.length; i++) {
            out[i] = table[in[i] & 0xFF];
        }
        return dst;
    }

    private static int channel(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255)));
    }
}
