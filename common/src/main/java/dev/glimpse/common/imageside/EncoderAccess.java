package dev.glimpse.common.imageside;

import java.nio.file.Path;

/**
 * What the user allowed on the command line when a model's encoder is opened again: the weights
 * file of a model trained on a local weights file (its sha256 must match the one recorded), and
 * whether the zoo's pretrained file may be downloaded if it is not cached. A model file itself
 * never names a file or URL to open.
 *
 * @param weightsFile   {@code --encoder-weights FILE}, or null
 * @param allowDownload {@code --download-weights}
 */
public record EncoderAccess(Path weightsFile, boolean allowDownload) {
    public static final EncoderAccess NONE = new EncoderAccess(null, false);
}
