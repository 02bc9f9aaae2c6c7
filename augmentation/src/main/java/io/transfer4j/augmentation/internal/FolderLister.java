package io.transfer4j.augmentation.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.transfer4j.augmentation.BadFile;
import io.transfer4j.augmentation.BadFileKind;
import io.transfer4j.augmentation.ImageDecoder;

/**
 * Keras' {@code flow_from_directory} listing: classes are the sorted sub-directories (or an explicit list, in its
 * order); inside each class directory files are listed recursively the way Keras does it ({@code os.walk} sorted by
 * directory path, then file names sorted), keeping the allowed extensions case-insensitively. Names are compared
 * by Unicode code point, as Python does. The validation subset is the first {@code int(split * n)} files of each
 * class; training is the rest.
 */
public final class FolderLister {

    /**
     * {@link ImageDecoder#IMAGE_EXTENSIONS}, the one list shared with prediction. Files without any extension are
     * listed too when they are DICOM files ({@code DICM} at offset 128), as scanners and PACS exports often name them.
     */
    public static final List<String> EXTENSIONS = ImageDecoder.IMAGE_EXTENSIONS;

    /** Python's string order (code points), which differs from Java's UTF-16 order only outside the BMP. */
    public static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    private FolderLister() {
    }

    /** One listed file. {@code relative} uses {@code /} and starts with the class directory name. */
    public record Entry(Path path, String relative, int label) {
    }

    /**
     * The result of listing a directory.
     *
     * @param classes  class names in index order
     * @param perClass the files of each class in Keras order, before any split
     * @param problems links that cannot be followed (loops), found while listing
     * @param warnings e.g. empty class directories
     */
    public record Listing(Path root, List<String> classes, List<List<Entry>> perClass, List<BadFile> problems,
                          List<String> warnings) {

        /** All files of the subset, class after class. {@code split} 0 = everything. */
        public List<Entry> subset(boolean validation, double split, boolean all) {
            List<Entry> out = new ArrayList<>();
            for (List<Entry> files : perClass) {
                int n = files.size();
                if (all) {
                    out.addAll(files);
                } else {
                    int cut = (int) (split * n);
                    out.addAll(validation ? files.subList(0, cut) : files.subList(cut, n));
                }
            }
            return out;
        }

        public int total() {
            return perClass.stream().mapToInt(List::size).sum();
        }
    }

    /** Lists {@code root}. Throws IllegalArgumentException for a missing root or an unknown explicit class. */
    /**
     * {@link #list} for callers that need images: an unreadable directory, no class sub-directories or no image
     * files at all are errors naming the directory (and the extensions looked for); {@code noClassesHint} ends
     * the no-class-directories message with what the caller expects.
     */
    public static Listing listImages(Path root, List<String> explicitClasses, boolean followLinks,
                                     String noClassesHint) {
        Listing listing;
        try {
            listing = list(root, explicitClasses, followLinks);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list '" + root + "': " + e.getMessage(), e);
        }
        if (listing.classes().isEmpty()) {
            throw new IllegalArgumentException("no class sub-directories in '" + root + "'; " + noClassesHint);
        }
        if (listing.total() == 0) {
            throw new IllegalArgumentException("no images in '" + root + "': looked for *." + String.join(", *.",
                    EXTENSIONS) + " (any case, recursively) in the class directories " + listing.classes());
        }
        return listing;
    }

    public static Listing list(Path root, List<String> explicitClasses, boolean followLinks) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException(Files.exists(root)
                    ? "'" + root + "' is a file; pass the directory that holds one sub-directory per class"
                    : "directory '" + root + "' does not exist; pass a directory with one sub-directory per class");
        }
        List<String> classes = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (explicitClasses.isEmpty()) {
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
                for (Path p : ds) {
                    String name = p.getFileName().toString();
                    if (Files.isDirectory(p)) {
                        if (name.startsWith(".")) {
                            warnings.add("hidden directory '" + name + "' is not used as a class");
                        } else {
                            names.add(name);
                        }
                    }
                }
            }
            names.sort(CODE_POINT_ORDER);
            classes.addAll(names);
        } else {
            for (String c : explicitClasses) {
                if (!Files.isDirectory(root.resolve(c))) {
                    throw new IllegalArgumentException("class '" + c + "' has no directory '" + root.resolve(c)
                            + "'; existing sub-directories: " + subdirs(root));
                }
            }
            classes.addAll(explicitClasses);
        }
        List<List<Entry>> perClass = new ArrayList<>();
        List<BadFile> problems = new ArrayList<>();
        for (int label = 0; label < classes.size(); label++) {
            String cls = classes.get(label);
            Path classDir = root.resolve(cls);
            List<Dir> dirs = new ArrayList<>();
            Set<Path> ancestors = new HashSet<>();
            walk(classDir, cls, followLinks, dirs, problems, ancestors);
            dirs.sort((a, b) -> CODE_POINT_ORDER.compare(a.relative, b.relative));
            List<Entry> files = new ArrayList<>();
            for (Dir d : dirs) {
                d.files.sort(CODE_POINT_ORDER);
                for (String f : d.files) {
                    if (hasImageExtension(f) || isDicomWithoutExtension(d.path.resolve(f))) {
                        files.add(new Entry(d.path.resolve(f), d.relative + "/" + f, label));
                    }
                }
            }
            if (files.isEmpty()) {
                warnings.add("class '" + cls + "' (" + classDir + ") has no image files");
            }
            perClass.add(List.copyOf(files));
        }
        return new Listing(root, List.copyOf(classes), List.copyOf(perClass), List.copyOf(problems),
                List.copyOf(warnings));
    }

    /** A file with no extension (no dot after the first character) that starts like DICOM. */
    public static boolean isDicomWithoutExtension(Path file) {
        String name = file.getFileName().toString();
        if (name.lastIndexOf('.') > 0 || name.startsWith(".") || !Files.isRegularFile(file)) {
            return false;
        }
        try (java.io.InputStream in = Files.newInputStream(file)) {
            return Dicom.isDicom(in.readNBytes(Dicom.MAGIC_OFFSET + 4));
        } catch (IOException e) {
            return false;
        }
    }

    public static boolean hasImageExtension(String fileName) {
        return ImageDecoder.hasImageExtension(fileName);
    }

    private static final class Dir {
        final Path path;
        final String relative;
        final List<String> files = new ArrayList<>();

        Dir(Path path, String relative) {
            this.path = path;
            this.relative = relative;
        }
    }

    private static void walk(Path dir, String relative, boolean followLinks, List<Dir> out, List<BadFile> problems,
                             Set<Path> ancestors) throws IOException {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            problems.add(new BadFile(dir, relative, BadFileKind.LINK_LOOP, "cannot resolve: " + e.getMessage()));
            return;
        }
        if (!ancestors.add(real)) {
            problems.add(new BadFile(dir, relative, BadFileKind.LINK_LOOP,
                    "link back to '" + real + "', which is already being listed; not followed"));
            return;
        }
        Dir d = new Dir(dir, relative);
        out.add(d);
        List<Path> subdirs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.isDirectory(p)) {
                    if (!Files.isSymbolicLink(p) || followLinks) {
                        subdirs.add(p);
                    }
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    subdirs.add(p);
                } else {
                    d.files.add(p.getFileName().toString());
                }
            }
        } catch (NotDirectoryException | NoSuchFileException e) {
            return;
        }
        for (Path p : subdirs) {
            walk(p, relative + "/" + p.getFileName(), followLinks, out, problems, ancestors);
        }
        ancestors.remove(real);
    }

    private static String subdirs(Path root) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, Files::isDirectory)) {
            ds.forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            return "(cannot list: " + e.getMessage() + ")";
        }
        names.sort(CODE_POINT_ORDER);
        return names.isEmpty() ? "(none)" : String.join(", ", names);
    }
}
