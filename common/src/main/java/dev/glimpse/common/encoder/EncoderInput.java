package dev.glimpse.common.encoder;

/**
 * How images become network input (stand-in until the shared image preprocessing spec lands):
 * resize to {@code size} x {@code size}, take channels in {@code channelOrder}, multiply 0..255
 * values by {@code valueScale}, then subtract {@code mean} and divide by {@code std} per channel
 * (both given in the network's channel order).
 */
public record EncoderInput(int size, String resizeMode, float[] mean, float[] std, String channelOrder, float valueScale) {
    /** Keras/Caffe "caffe" mode: BGR, 0..255, ImageNet mean subtracted, no scaling. */
    static EncoderInput caffe(int size) {
        return new EncoderInput(size, "stretch", new float[] {103.939f, 116.779f, 123.68f},
                new float[] {1f, 1f, 1f}, "BGR", 1f);
    }
}
