package dev.glimpse.spark;

import java.io.Serializable;

/**
 * What a worker needs to make the driver's task, broadcast once per run: the command line (the
 * worker reads the same files the driver names), the driver's model at the start of the run
 * (vocabularies, image statistics: never fitted again on a worker), and the task's resume keys
 * (data checksums, vocabulary, encoder), which the worker's task must match.
 *
 * @param runId      one per driver run; workers of an older run are closed
 * @param model      {@code captioner} or {@code vqa}
 * @param args       the train command's arguments, Spark's options included
 * @param start      the driver's model file, as bytes
 * @param resumeKeys the driver's task's resume keys as JSON
 */
record WorkerSpec(String runId, String model, String[] args, byte[] start, String resumeKeys) implements Serializable {}
