package io.transfer4j.augmentation.internal;

import java.util.SplittableRandom;

/**
 * Seeds derived from (seed, epoch, index) by hashing, so a sample's random parameters depend only on those three
 * numbers - never on which thread decoded it or in what order batches were prepared.
 */
public final class Seeds {
    private Seeds() {
    }

    /** MurmurHash3's 64-bit finaliser. */
    public static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    public static long derive(long seed, long a, long b) {
        return mix(mix(mix(seed) + 0x9E3779B97F4A7C15L * (a + 1)) + 0xC2B2AE3D27D4EB4FL * (b + 1));
    }

    /** The shuffling permutation of {@code n} items for an epoch (Fisher-Yates). */
    public static int[] permutation(int n, long seed, int epoch) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(derive(seed, epoch, -1));
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The random source for one sample of one epoch. */
    public static SplittableRandom sample(long seed, int epoch, int index) {
        return new SplittableRandom(derive(seed, epoch, index));
    }
}
