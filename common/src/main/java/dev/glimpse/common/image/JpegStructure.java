package dev.glimpse.common.image;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.commons.imaging.ImagingException;
import org.apache.commons.imaging.bytesource.ByteSource;
import org.apache.commons.imaging.formats.jpeg.JpegUtils;
import org.apache.commons.imaging.formats.jpeg.segments.App14Segment;
import org.apache.commons.imaging.formats.jpeg.segments.SofnSegment;

/**
 * The frame header of a JPEG, read with Commons Imaging's segment walker (which steps over 0xFF
 * fill bytes between segments, as the JPEG standard allows), held to the rules a decoder relies on:
 * one frame header before the first scan, a size and components that make sense, and an Adobe
 * APP14 colour transform that matches the number of components. Decoders disagree on what a
 * contradicting Adobe marker means (libjpeg trusts the component count, others the marker), so
 * such a file has no single right picture and is refused.
 */
final class JpegStructure {
    /**
     * What the frame header says; {@code adobeTransform} is -1 without an Adobe APP14 segment,
     * {@code exif} the first APP1 EXIF block (a TIFF structure) or null.
     */
    record Info(int width, int height, int components, int precision, int adobeTransform, byte[] exif) {}

    private static final ImageFormat JPEG = ImageFormat.JPEG;
    private static final int APP1 = 0xFFE1;
    private static final int APP14 = 0xFFEE;
    private static final byte[] EXIF = {'E', 'x', 'i', 'f', 0, 0};

    private JpegStructure() {}

    /**
     * The JPEG with the 0xFF fill bytes before its header segments removed. Fill bytes are legal
     * padding, but the TwelveMonkeys reader hands them on as "extraneous bytes" (a warning, so a
     * refusal), so they go before decoding. Bytes other than 0xFF between segments are not fill
     * but junk, and refused. The scans are left as they are: libjpeg reads fill inside them.
     */
    static byte[] withoutFill(byte[] jpeg) {
        java.io.ByteArrayOutputStream out = null;
        int copied = 0;
        int pos = 2;
        while (pos < jpeg.length) {
            if ((jpeg[pos] & 0xFF) != 0xFF) {
                int junk = pos;
                while (pos < jpeg.length && (jpeg[pos] & 0xFF) != 0xFF) {
                    pos++;
                }
                throw ImageProblem.corrupt(JPEG, (pos - junk) + " bytes of junk between segments at offset " + junk);
            }
            int start = pos;
            while (pos + 1 < jpeg.length && (jpeg[pos + 1] & 0xFF) == 0xFF) {
                pos++;
            }
            if (pos > start) { // fill bytes from start to pos - 1
                if (out == null) {
                    out = new java.io.ByteArrayOutputStream(jpeg.length);
                }
                out.write(jpeg, copied, start - copied);
                copied = pos;
            }
            if (pos + 1 >= jpeg.length) {
                break;
            }
            int marker = jpeg[pos + 1] & 0xFF;
            if (marker == 0xDA || marker == 0xD9) {
                break; // the first scan: from here on libjpeg's own rules
            }
            boolean standalone = marker == 0x01 || marker >= 0xD0 && marker <= 0xD7;
            int length = standalone || pos + 3 >= jpeg.length ? 0 : ((jpeg[pos + 2] & 0xFF) << 8) | (jpeg[pos + 3] & 0xFF);
            pos += 2 + length;
        }
        if (out == null) {
            return jpeg;
        }
        out.write(jpeg, copied, jpeg.length - copied);
        return out.toByteArray();
    }

    static Info check(byte[] jpeg) {
        Collector c = new Collector();
        try {
            new JpegUtils().traverseJfif(ByteSource.array(jpeg), c);
        } catch (ImagingException e) {
            throw ImageProblem.corrupt(JPEG, oneLine(e));
        } catch (IOException e) {
            throw ImageProblem.truncated(JPEG, "the headers end before the image data");
        }
        if (c.problem != null) {
            throw c.problem;
        }
        if (c.frame == null) {
            throw c.sawScan ? ImageProblem.corrupt(JPEG, "image data before the frame header")
                    : ImageProblem.truncated(JPEG, "no frame header");
        }
        if (!c.sawScan) {
            throw ImageProblem.truncated(JPEG, "no image data");
        }
        Info info = frame(c.frame, c.adobeTransform, c.exif);
        adobe(info);
        return info;
    }

    private static Info frame(SofnSegment sof, int adobeTransform, byte[] exif) {
        int components = sof.numberOfComponents & 0xFF;
        if (sof.width <= 0 || sof.height <= 0) {
            throw ImageProblem.corrupt(JPEG, "frame header gives no valid size (" + sof.width + "x" + sof.height + ")");
        }
        if (components != 1 && components != 3 && components != 4) {
            throw ImageProblem.corrupt(JPEG, components + " colour components");
        }
        Set<Integer> ids = new HashSet<>();
        for (SofnSegment.Component k : sof.getComponents()) {
            if (!ids.add(k.componentIdentifier)) {
                throw ImageProblem.corrupt(JPEG, "two components with id " + k.componentIdentifier);
            }
            if (k.horizontalSamplingFactor < 1 || k.horizontalSamplingFactor > 4
                    || k.verticalSamplingFactor < 1 || k.verticalSamplingFactor > 4) {
                throw ImageProblem.corrupt(JPEG, "sampling factors " + k.horizontalSamplingFactor + "x"
                        + k.verticalSamplingFactor + " are outside 1..4");
            }
            if (k.quantTabDestSelector < 0 || k.quantTabDestSelector > 3) {
                throw ImageProblem.corrupt(JPEG, "quantization table " + k.quantTabDestSelector + " does not exist");
            }
        }
        return new Info(sof.width, sof.height, components, sof.precision & 0xFF, adobeTransform, exif);
    }

    /** Adobe's transform codes: 0 = none (gray, RGB or CMYK), 1 = YCbCr (3 components), 2 = YCCK (4 components). */
    private static void adobe(Info info) {
        int t = info.adobeTransform();
        if (t < 0) {
            return;
        }
        boolean valid = switch (info.components()) {
            case 1 -> t == 0;
            case 3 -> t == 0 || t == 1;
            default -> t == 0 || t == 2;
        };
        if (!valid) {
            String meaning = t == 1 ? "YCbCr" : t == 2 ? "YCCK" : "unknown (" + t + ")";
            throw ImageProblem.corrupt(JPEG, "Adobe APP14 colour transform " + meaning + " contradicts the "
                    + info.components() + " colour component" + (info.components() == 1 ? "" : "s"));
        }
    }

    /** Records the frame header and the Adobe segment; stops at the first scan without copying it. */
    private static final class Collector implements JpegUtils.Visitor {
        SofnSegment frame;
        int adobeTransform = -1;
        byte[] exif;
        boolean sawScan;
        ImageProblem problem;

        @Override
        public boolean beginSos() {
            sawScan = true;
            return false;
        }

        @Override
        public void visitSos(int marker, byte[] markerBytes, byte[] imageData) {
            // Not reached: beginSos stops the walk.
        }

        @Override
        public boolean visitSegment(int marker, byte[] markerBytes, int length, byte[] lengthBytes, byte[] data)
                throws ImagingException, IOException {
            if (isFrameHeader(marker)) {
                if (frame != null) {
                    problem = ImageProblem.corrupt(JPEG, "more than one frame header");
                    return false;
                }
                frame = new SofnSegment(marker, data);
            } else if (marker == APP14 && data.length >= 5 && new App14Segment(marker, data).isAdobeJpegSegment()) {
                if (adobeTransform >= 0) {
                    problem = ImageProblem.corrupt(JPEG, "more than one Adobe APP14 segment");
                    return false;
                }
                if (data.length < 12) {
                    problem = ImageProblem.corrupt(JPEG, "Adobe APP14 segment of " + data.length + " bytes is too short");
                    return false;
                }
                adobeTransform = new App14Segment(marker, data).getAdobeColorTransform();
            } else if (marker == APP1 && exif == null && java.util.Arrays.equals(data, 0, Math.min(6, data.length), EXIF, 0, 6)) {
                exif = java.util.Arrays.copyOfRange(data, 6, data.length);
            }
            return true;
        }
    }

    /** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
    private static boolean isFrameHeader(int marker) {
        return marker >= 0xFFC0 && marker <= 0xFFCF && marker != 0xFFC4 && marker != 0xFFC8 && marker != 0xFFCC;
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.replaceAll("\\s+", " ").strip();
    }
}
