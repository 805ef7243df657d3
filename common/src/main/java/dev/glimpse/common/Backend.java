package dev.glimpse.common;

/**
 * Selects ND4J's native binary before ND4J loads. Only the oneDNN build is on the class path
 * (measured fastest here for GEMM, matrix-vector and convolution); javacpp finds it only when
 * told the platform extension, so every entry point calls {@link #init()} first.
 */
public final class Backend {
    public static final String EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";
    public static final String DEFAULT_EXTENSION = "-onednn";

    private Backend() {}

    public static void init() {
        if (System.getProperty(EXTENSION_PROPERTY) == null && cpuBackendPresent()) {
            System.setProperty(EXTENSION_PROPERTY, DEFAULT_EXTENSION);
        }
    }

    /** False in a CUDA build (-Pcuda), whose binaries carry no extension. */
    private static boolean cpuBackendPresent() {
        try {
            Class.forName("org.nd4j.linalg.cpu.nativecpu.CpuBackend", false, Backend.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
