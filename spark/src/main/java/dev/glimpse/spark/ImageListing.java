package dev.glimpse.spark;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.datasets.ImageLists;
import dev.glimpse.common.features.ImageRef;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The images a COCO captions or VQA questions file lists, resolved against an image folder on any
 * Hadoop file system, with exactly the rules of {@code glimpse features} ({@link ImageLists}): the
 * list is parsed by the same code, only file existence and paths go through Hadoop.
 */
final class ImageListing {
    private ImageListing() {}

    /**
     * @param listFile COCO captions JSON (or VQA questions JSON when {@code vqa}); copied to a local
     *                 temp file first when it is not on the local file system
     * @param images   the folder file names are relative to
     * @return the distinct images in list order (the first of repeated ids)
     */
    static List<ImageEntry> read(String listFile, boolean vqa, String images, Configuration conf) {
        Path root = HadoopFiles.qualified(images, conf);
        FileSystem fs = fileSystem(root, conf);
        requireDirectory(fs, root, images);
        Path list = HadoopFiles.qualified(listFile, conf);
        java.nio.file.Path json = null;
        try {
            json = HadoopFiles.isLocal(list) ? HadoopFiles.local(list) : copyToLocal(list, conf);
            java.nio.file.Path relative = java.nio.file.Path.of("");
            List<ImageRef> refs = vqa
                    ? ImageLists.fromVqaQuestions(json, relative, fileNames(fs, root)::contains)
                    : ImageLists.fromCocoCaptions(json, relative);
            if (refs.isEmpty()) {
                throw new GlimpseException(listFile + ": lists no images");
            }
            // The readers resolve names against the (local) working folder standing in for the root;
            // what is kept is each name relative to it, resolved against the real root here.
            java.nio.file.Path base = relative.toAbsolutePath().normalize();
            Map<Long, ImageEntry> distinct = new LinkedHashMap<>();
            for (ImageRef ref : refs) {
                distinct.putIfAbsent(ref.id(), new ImageEntry(ref.id(), resolve(root, base.relativize(ref.file())).toString()));
            }
            return new ArrayList<>(distinct.values());
        } finally {
            if (json != null && !HadoopFiles.isLocal(list)) {
                deleteQuietly(json);
            }
        }
    }

    /** {@code root/name}, parsed so that a colon in a file name is never read as a URI scheme. */
    static Path resolve(Path root, java.nio.file.Path name) {
        return new Path(root, new Path(null, null, name.toString()));
    }

    private static FileSystem fileSystem(Path root, Configuration conf) {
        try {
            return HadoopFiles.fileSystem(root, conf);
        } catch (IOException e) {
            throw new GlimpseException(root + ": no file system for this path (" + e.getMessage() + ")", e);
        }
    }

    private static void requireDirectory(FileSystem fs, Path root, String given) {
        try {
            if (!fs.getFileStatus(root).isDirectory()) {
                throw new GlimpseException(given + ": not a folder");
            }
        } catch (FileNotFoundException e) {
            throw new GlimpseException(given + ": image folder not found");
        } catch (IOException e) {
            throw new GlimpseException(given + ": cannot read the image folder (" + e.getMessage() + ")", e);
        }
    }

    /** Names of the files directly in {@code root}: VQA files name images by id only, so candidates are looked up here. */
    private static Set<String> fileNames(FileSystem fs, Path root) {
        Set<String> names = new HashSet<>();
        try {
            for (FileStatus s : fs.listStatus(root)) {
                if (s.isFile()) {
                    names.add(s.getPath().getName());
                }
            }
        } catch (IOException e) {
            throw new GlimpseException(root + ": cannot list the image folder (" + e.getMessage() + ")", e);
        }
        return names;
    }

    private static java.nio.file.Path copyToLocal(Path list, Configuration conf) {
        try {
            java.nio.file.Path tmp = Files.createTempFile("glimpse-list-", ".json");
            HadoopFiles.fileSystem(list, conf).copyToLocalFile(false, list, new Path(tmp.toUri()), true);
            return tmp;
        } catch (FileNotFoundException e) {
            throw new GlimpseException(list + ": file not found");
        } catch (IOException e) {
            throw new GlimpseException(list + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static void deleteQuietly(java.nio.file.Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temp copy of the list: the OS cleans its temp folder
        }
    }
}
