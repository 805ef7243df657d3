/**
 * Synthetic scenes: coloured shapes on muted textured backgrounds, with COCO-style captions,
 * VQA v2-style questions whose answers need the image, and object boxes for attention checks.
 * Entry point {@link dev.glimpse.datasets.scenes.SceneGenerator}; boxes are read back with
 * {@link dev.glimpse.datasets.scenes.SceneObjectsReader}.
 */
package dev.glimpse.datasets.scenes;
