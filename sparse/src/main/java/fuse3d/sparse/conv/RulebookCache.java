package fuse3d.sparse.conv;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The rulebooks of one forward pass by indice key (spconv's indice_dict): every sparse tensor derived from
 * the same input shares one cache, so layers that share a key build their rulebook once, and an inverse
 * convolution finds the downsampling rulebook it undoes.
 */
public final class RulebookCache {
    private final Map<String, Rulebook> byKey = new LinkedHashMap<>();

    /** The rulebook stored under {@code key}, or null. */
    public synchronized Rulebook get(String key) { return byKey.get(key); }

    synchronized void put(String key, Rulebook rb) { byKey.put(key, rb); }

    /** The keys in the order their rulebooks were built. */
    public synchronized Set<String> keys() { return Set.copyOf(byKey.keySet()); }

    public synchronized int size() { return byKey.size(); }
}
