package dev.glimpse.common.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.common.resources.DL4JResources;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Random-init SqueezeNet at 64 px (a 3x3 grid) keeps these to a few seconds. */
class EncoderTest {
    static final int SIZE = 64;

    @TempDir
    Path tmp;

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    static BufferedImage picture(Color background, Color shape, int x) {
        BufferedImage img = new BufferedImage(80, 60, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(background);
        g.fillRect(0, 0, 80, 60);
        g.setColor(shape);
        g.fillOval(x, 15, 30, 30);
        g.dispose();
        return img;
    }

    static ImageEncoder squeezenet(long seed) {
        return Encoders.open(EncoderRequest.randomInit("squeezenet", seed).withInputSize(SIZE));
    }

    @Test
    void randomInitSqueezeNetShapesComeFromTheLoadedGraph() {
        List<BufferedImage> images = List.of(picture(Color.WHITE, Color.RED, 5), picture(Color.BLACK, Color.GREEN, 45));
        try (ImageEncoder enc = squeezenet(3)) {
            EncoderInfo info = enc.info();
            assertEquals("squeezenet", info.name());
            assertTrue(info.randomInit());
            assertEquals("random-init seed=3", info.weightsSource());
            assertNull(info.weightsSha256());
            assertEquals("fire9", info.gridLayer());
            // 64 px: conv 3x3/2 -> 31, three 3x3/2 max pools -> 15, 7, 3
            assertEquals(3, info.gridRows());
            assertEquals(3, info.gridCols());
            assertEquals(512, info.gridDim());
            assertEquals(512, info.pooledDim());
            assertEquals(SIZE, info.preprocess().inputSize());

            EncodedBatch batch = enc.encode(images);
            assertArrayEquals(new long[] {2, 512}, batch.pooled().shape());
            assertArrayEquals(new long[] {2, 9, 512}, batch.grid().shape());
            // pooled is the spatial mean of the grid
            INDArray mean = batch.grid().mean(1); // [2, 512]
            assertTrue(mean.equalsWithEps(batch.pooled(), 1e-4), "pooled != mean of grid");
            assertFalse(batch.pooled().getRow(0).equalsWithEps(batch.pooled().getRow(1), 1e-3));
            assertTrue(batch.grid().amaxNumber().floatValue() < 1000f, "scaled features stay in float16 range");
            assertTrue(info.featureNorm().startsWith("centred"), info.featureNorm());

            EncodedBatch single = enc.encode(images.subList(1, 2));
            assertTrue(single.grid().slice(0).equalsWithEps(batch.grid().slice(1), 1e-4), "batching changes results");
        }
    }

    @Test
    void theSeedDecidesTheWeights() {
        List<BufferedImage> images = List.of(picture(Color.GRAY, Color.ORANGE, 25));
        try (ImageEncoder a = squeezenet(3); ImageEncoder again = squeezenet(3); ImageEncoder other = squeezenet(4)) {
            assertTrue(again.info().sameFeatures(a.info()));
            assertFalse(other.info().sameFeatures(a.info()));
            INDArray pooled = a.encode(images).pooled();
            assertEquals(pooled, again.encode(images).pooled());
            assertNotEquals(pooled, other.encode(images).pooled());
        }
    }

    @Test
    void offlinePretrainedRequestFailsFastNamingWhereTheFileGoes() {
        String url = DL4JResources.getBaseDownloadURL();
        File dir = DL4JResources.getBaseDirectory();
        DL4JResources.setBaseDownloadURL("http://127.0.0.1:9/");
        DL4JResources.setBaseDirectory(tmp.toFile());
        try {
            long start = System.nanoTime();
            GlimpseException e = assertThrows(GlimpseException.class,
                    () -> Encoders.open(EncoderRequest.pretrained("squeezenet")));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < 10, "took " + seconds + " s");
            Path expected = tmp.resolve("models").resolve("squeezenet").resolve("squeezenet_dl4j_inference.v2.zip");
            assertTrue(e.getMessage().contains(expected.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("--weights FILE"), e.getMessage());
            assertFalse(Files.exists(expected), "no partial download left behind");
        } finally {
            DL4JResources.setBaseDownloadURL(url);
            DL4JResources.setBaseDirectory(dir);
        }
    }

    @Test
    void localWeightsFileIsValidated() throws Exception {
        Path missing = tmp.resolve("missing.zip");
        GlimpseException e = assertThrows(GlimpseException.class,
                () -> Encoders.open(new EncoderRequest("squeezenet", missing, false, 1, SIZE)));
        assertTrue(e.getMessage().startsWith(missing.toString()), e.getMessage());

        Path text = tmp.resolve("notes.zip");
        Files.writeString(text, "not a model");
        e = assertThrows(GlimpseException.class, () -> Encoders.open(new EncoderRequest("squeezenet", text, false, 1, SIZE)));
        assertTrue(e.getMessage().contains("not a DL4J model file"), e.getMessage());

        Path saved = tmp.resolve("squeezenet.zip");
        ModelSerializer.writeModel(ZooNetwork.SQUEEZENET.randomInit(9, SIZE), saved.toFile(), false);
        e = assertThrows(GlimpseException.class, () -> Encoders.open(new EncoderRequest("resnet50", saved, false, 1, SIZE)));
        assertTrue(e.getMessage().contains("wrong --encoder"), e.getMessage());

        try (ImageEncoder local = Encoders.open(new EncoderRequest("squeezenet", saved, false, 1, SIZE));
             ImageEncoder random = squeezenet(9)) {
            assertFalse(local.info().randomInit());
            assertEquals("squeezenet.zip", local.info().weightsSource());
            assertEquals(64, local.info().weightsSha256().length());
            List<BufferedImage> img = List.of(picture(Color.BLUE, Color.YELLOW, 20), picture(Color.RED, Color.CYAN, 40));
            // Same weights: random-init features are the local ones centred and scaled, so the
            // difference between two images is the same up to one factor.
            EncodedBatch l = local.encode(img);
            EncodedBatch r = random.encode(img);
            INDArray lDiff = l.grid().slice(0).sub(l.grid().slice(1));
            INDArray rDiff = r.grid().slice(0).sub(r.grid().slice(1));
            double factor = rDiff.norm2Number().doubleValue() / lDiff.norm2Number().doubleValue();
            assertTrue(Encoders.relativeError(lDiff.mul(factor), rDiff) < 1e-3);
        }
    }

    @Test
    void unknownNameAndConflictingOptionsAreInputErrors() {
        assertThrows(GlimpseException.class, () -> Encoders.open(EncoderRequest.randomInit("alexnet", 1)));
        assertThrows(GlimpseException.class, () -> new EncoderRequest("vgg16", Path.of("w.zip"), true, 1));
        assertEquals("resnet50", new EncoderRequest(null, null, true, 1).name());
    }
}
