package dev.glimpse.spark;

import java.io.Serializable;

/** Runs on a worker before it computes a slice; tests fail tasks through it. */
interface BeforeSlice extends Serializable {
    BeforeSlice NOTHING = (epoch, batch, slice) -> { };

    void run(int epoch, int batch, int slice);
}
