package dev.glimpse.common.image;

import java.util.Arrays;

/**
 * How images become network input: the square side, how the image is fitted to it, channel order,
 * value scale and per-channel normalisation. Saved with every model (JSON via Jackson) so training,
 * feature extraction, the CLI and the server all feed a network exactly what it was trained on.
 *
 * <p>Per pixel and channel: {@code v = sample / (valueScale == UNIT ? 255 : 1)}, then
 * {@code (v - mean[c]) / std[c]}, where {@code c} indexes the OUTPUT channels, i.e. in
 * {@code channelOrder} (for BGR, mean[0] is the blue mean), as frameworks list their constants.
 *
 * @param inputSize side of the square network input in pixels
 * @param resize how a non-square image is fitted into the square
 * @param mean three per-channel means, in output channel order and in the units of {@code valueScale}
 * @param std three per-channel standard deviations (1 for plain mean subtraction)
 * @param channelOrder order of the three colour channels in the output
 * @param valueScale range of the sample values before normalisation
 */
public record PreprocessSpec(int inputSize, ResizeMode resize, float[] mean, float[] std,
                             ChannelOrder channelOrder, ValueScale valueScale) {

    /** torchvision ImageNet evaluation: shorter side to 256, centre 224 crop, RGB in 0..1, ImageNet mean/std. */
    public static final PreprocessSpec IMAGENET = new PreprocessSpec(224, ResizeMode.CENTER_CROP_0875,
            new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f},
            ChannelOrder.RGB, ValueScale.UNIT);

    /**
     * Caffe/Keras VGG16 convention (DL4J's VGG16ImagePreProcessor subtracts the same ImageNet means):
     * 224x224, BGR in 0..255, mean subtraction only. Means listed in BGR order: 103.939, 116.779, 123.68.
     */
    public static final PreprocessSpec VGG_BGR = new PreprocessSpec(224, ResizeMode.CENTER_CROP_0875,
            new float[] {103.939f, 116.779f, 123.68f}, new float[] {1f, 1f, 1f},
            ChannelOrder.BGR, ValueScale.BYTE);

    /** Raw RGB in 0..1 without normalisation, the whole image squashed to the square (synthetic scenes). */
    public static PreprocessSpec plainRgb(int inputSize) {
        return new PreprocessSpec(inputSize, ResizeMode.SQUASH, new float[] {0f, 0f, 0f}, new float[] {1f, 1f, 1f},
                ChannelOrder.RGB, ValueScale.UNIT);
    }

    public enum ResizeMode {
        /** Scale both sides to the square, ignoring the aspect ratio; nothing is cut off. */
        SQUASH(1.0),
        /** Scale the shorter side to the square's side and cut the centre square out of the longer side. */
        CENTER_CROP(1.0),
        /** torchvision's Resize(256) + CenterCrop(224): scale the shorter side to side/0.875, cut the centre square. */
        CENTER_CROP_0875(0.875);

        /** Share of the shorter side that ends up in the square. */
        public final double cropFraction;

        ResizeMode(double cropFraction) {
            this.cropFraction = cropFraction;
        }

        /**
         * The rectangle of a {@code width x height} image that ends up in the square input, in that
         * image's pixel coordinates: the encoder's grid tiles exactly this rectangle.
         */
        public FitWindow window(double width, double height) {
            if (this == SQUASH) {
                return new FitWindow(0, 0, width, height);
            }
            double side = cropFraction * Math.min(width, height);
            return new FitWindow((width - side) / 2, (height - side) / 2, side, side);
        }
    }

    public enum ChannelOrder { RGB, BGR }

    public enum ValueScale {
        /** Samples as stored, 0..255. */
        BYTE(1f),
        /** Samples divided by 255, 0..1. */
        UNIT(255f);

        final float divisor;

        ValueScale(float divisor) {
            this.divisor = divisor;
        }
    }

    public PreprocessSpec {
        if (inputSize < 1 || inputSize > 4096) {
            throw new IllegalArgumentException("inputSize must be in 1..4096: " + inputSize);
        }
        if (resize == null || channelOrder == null || valueScale == null) {
            throw new IllegalArgumentException("resize, channelOrder and valueScale are required");
        }
        if (mean == null || mean.length != 3 || std == null || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values each");
        }
        for (float s : std) {
            if (!(s > 0) || Float.isInfinite(s)) {
                throw new IllegalArgumentException("std values must be positive: " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PreprocessSpec p && inputSize == p.inputSize && resize == p.resize
                && Arrays.equals(mean, p.mean) && Arrays.equals(std, p.std)
                && channelOrder == p.channelOrder && valueScale == p.valueScale;
    }

    @Override
    public int hashCode() {
        return ((((inputSize * 31 + resize.hashCode()) * 31 + Arrays.hashCode(mean)) * 31 + Arrays.hashCode(std)) * 31
                + channelOrder.hashCode()) * 31 + valueScale.hashCode();
    }

    @Override
    public String toString() {
        return "PreprocessSpec[inputSize=" + inputSize + ", resize=" + resize + ", mean=" + Arrays.toString(mean)
                + ", std=" + Arrays.toString(std) + ", channelOrder=" + channelOrder + ", valueScale=" + valueScale + "]";
    }
}
