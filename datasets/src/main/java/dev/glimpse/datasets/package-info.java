/**
 * Data set readers and batching helpers.
 *
 * <ul>
 *   <li>{@link dev.glimpse.datasets.CocoCaptionsReader} -> {@link dev.glimpse.datasets.CaptionCorpus}
 *       ({@link dev.glimpse.datasets.CocoImage}, {@link dev.glimpse.datasets.CocoCaption})</li>
 *   <li>{@link dev.glimpse.datasets.KarpathyReader} -> {@link dev.glimpse.datasets.KarpathyDataset}
 *       ({@link dev.glimpse.datasets.KarpathyImage}, {@link dev.glimpse.datasets.KarpathySentence})</li>
 *   <li>{@link dev.glimpse.datasets.VqaReader} -> {@link dev.glimpse.datasets.VqaCorpus}
 *       ({@link dev.glimpse.datasets.VqaQuestion}, {@link dev.glimpse.datasets.VqaImage})</li>
 *   <li>{@link dev.glimpse.datasets.ImageLists}: the images of a COCO or VQA file for
 *       {@code glimpse features}, through the same readers</li>
 *   <li>{@link dev.glimpse.datasets.SeededShuffle} and {@link dev.glimpse.datasets.Batches} for
 *       reproducible epoch orders, fixed-size and length-bucketed batches of
 *       {@link dev.glimpse.datasets.ImageCaption} pairs</li>
 * </ul>
 *
 * <p>Readers stream the record arrays (one record in memory at a time), validate every record
 * and fail with a one-line {@link dev.glimpse.common.GlimpseException} naming file, record and
 * field. Image file names must stay inside the image root, also once symbolic links are followed;
 * files missing on disk are listed in
 * {@code missingFiles()} unless {@link dev.glimpse.datasets.ReadOptions#REQUIRE_FILES} makes
 * them fatal. Synthetic data: {@link dev.glimpse.datasets.scenes.SceneGenerator}.
 */
package dev.glimpse.datasets;
