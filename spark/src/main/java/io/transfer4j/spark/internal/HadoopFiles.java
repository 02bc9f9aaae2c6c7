package io.transfer4j.spark.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;


/** Reading through Hadoop's {@link FileSystem}: local files, HDFS, S3A, ... whatever the job's configuration can. */
public final class HadoopFiles {

    /** Bundles over this size are refused before they are read into the driver's memory to be broadcast. */
    static final long MAX_BUNDLE_BYTES = 2_000_000_000L;

    private HadoopFiles() {
    }

    /** The whole bundle, read on the driver; a clear error when the driver cannot read it. */
    public static byte[] readBundle(String bundle, Configuration conf) {
        Path p = new Path(bundle);
        try {
            FileSystem fs = p.getFileSystem(conf);
            FileStatus st = fs.getFileStatus(p);
            if (st.isDirectory()) {
                throw new IllegalArgumentException("the bundle path " + bundle + " is a directory; give the .t4j"
                        + " file written by 'transfer4j fit' or ModelBundle.save");
            }
            if (st.getLen() > MAX_BUNDLE_BYTES) {
                throw new IllegalArgumentException("the bundle " + bundle + " is " + st.getLen() + " bytes; at most "
                        + MAX_BUNDLE_BYTES + " can be broadcast. Is it a transfer4j bundle?");
            }
            try (InputStream in = fs.open(p)) {
                return in.readAllBytes();
            }
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("the bundle " + bundle + " does not exist (as seen by the driver,"
                    + " through the " + (p.toUri().getScheme() != null ? p.toUri().getScheme()
                    : FileSystem.getDefaultUri(conf).getScheme()) + " filesystem). The driver reads the bundle and broadcasts"
                    + " it, so only the driver needs to reach it: give a path the driver can read (a local path in"
                    + " local/client mode, or hdfs://, s3a://, ...).", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("the bundle " + bundle + " cannot be read by the driver: "
                    + e.getMessage() + ". Give a path the driver can read (a local path in local/client mode, or"
                    + " hdfs://, s3a://, ...).", e);
        }
    }

    /** Image files under {@code dir}, recursively, sorted by path; hidden files and folders are skipped. */
    public static List<String> listImages(String dir, Configuration conf) {
        Path root = new Path(dir);
        List<String> out = new ArrayList<>();
        try {
            FileSystem fs = root.getFileSystem(conf);
            if (!fs.exists(root)) {
                throw new IllegalArgumentException("no such directory: " + dir + " (as seen by the driver)");
            }
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
            while (it.hasNext()) {
                LocatedFileStatus st = it.next();
                if (st.isFile() && isImage(st.getPath()) && !hidden(root, st.getPath())) {
                    out.add(st.getPath().toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + dir + ": " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }

    /** The manifest's paths, relative ones resolved against the manifest's folder. */
    public static List<String> readManifest(String manifest, Configuration conf) {
        Path m = new Path(manifest);
        List<String> out = new ArrayList<>();
        try {
            FileSystem fs = m.getFileSystem(conf);
            String text;
            try (InputStream in = fs.open(m)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Path parent = fs.makeQualified(m).getParent();
            boolean first = true;
            for (String line : text.split("\\R")) {
                String l = line.strip();
                if (first && l.equalsIgnoreCase("path")) {
                    first = false;
                    continue;
                }
                first = false;
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                Path p = new Path(l);
                out.add(p.isAbsolute() || p.toUri().getScheme() != null ? l : new Path(parent, l).toString());
            }
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("the manifest " + manifest + " does not exist (as seen by the driver)",
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the manifest " + manifest + ": " + e.getMessage(), e);
        }
        return out;
    }

    static boolean isImage(Path p) {
        String n = p.getName();
        int dot = n.lastIndexOf('.');
        return dot > 0 && io.transfer4j.augmentation.ImageDecoder.IMAGE_EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static boolean hidden(Path root, Path p) {
        for (Path q = p; q != null && !q.equals(root) && q.depth() > root.depth(); q = q.getParent()) {
            if (q.getName().startsWith(".") || q.getName().startsWith("_")) {
                return true;
            }
        }
        return false;
    }

    /** A Hadoop configuration as bytes (it is Writable, not Serializable), for executors. */
    public static byte[] serialise(Configuration conf) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                conf.write(out);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Configuration deserialise(byte[] bytes) {
        Configuration c = new Configuration(false);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            c.readFields(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return c;
    }

    /** The file itself when it is local; otherwise a local temp copy with the same extension. */
    public static java.nio.file.Path localCopy(String path, Configuration conf, List<java.nio.file.Path> temps)
            throws IOException {
        Path p = new Path(path);
        String scheme = p.toUri().getScheme();
        if (scheme == null || scheme.equals("file")) {
            java.nio.file.Path f = java.nio.file.Path.of(p.toUri().getPath());
            if (!Files.exists(f)) {
                throw new FileNotFoundException(path);
            }
            return f;
        }
        FileSystem fs = p.getFileSystem(conf);
        FileStatus st = fs.getFileStatus(p);
        if (st.isDirectory()) {
            throw new IOException(path + " is a directory, not an image");
        }
        String name = p.getName();
        int dot = name.lastIndexOf('.');
        java.nio.file.Path tmp = Files.createTempFile("transfer4j-img-", dot > 0 ? name.substring(dot) : ".img");
        temps.add(tmp);
        try (InputStream in = fs.open(p)) {
            Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return tmp;
    }
}
