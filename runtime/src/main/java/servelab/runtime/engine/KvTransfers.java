package servelab.runtime.engine;

import java.util.Arrays;

/**
 * The KV block copies between device and host of one step, in the order an executor performs them: every
 * swap-out (device to host), then every swap-in (host to device), then the forward pass. Swap-outs come first
 * because a device block copied out may be handed, in the same step, to a sequence whose KV a swap-in brings
 * back. Reused every step; grows to the largest step seen.
 */
final class KvTransfers {
    private int[] outDevice = new int[16];
    private int[] outHost = new int[16];
    private int[] inHost = new int[16];
    private int[] inDevice = new int[16];
    private int outs;
    private int ins;
    private int offloaded;
    private int reloaded;

    void clear() {
        outs = ins = offloaded = reloaded = 0;
    }

    /** Device block {@code device} is copied to host slot {@code host}: a swap preemption or an offload. */
    void swapOut(int device, int host, boolean offload) {
        if (outs == outDevice.length) {
            outDevice = Arrays.copyOf(outDevice, outs * 2);
            outHost = Arrays.copyOf(outHost, outs * 2);
        }
        outDevice[outs] = device;
        outHost[outs++] = host;
        if (offload) offloaded++;
    }

    /** Host slot {@code host} is copied to device block {@code device}: a swap-in or a host-tier prefix hit. */
    void swapIn(int host, int device, boolean reload) {
        if (ins == inHost.length) {
            inHost = Arrays.copyOf(inHost, ins * 2);
            inDevice = Arrays.copyOf(inDevice, ins * 2);
        }
        inHost[ins] = host;
        inDevice[ins++] = device;
        if (reload) reloaded++;
    }

    int swapOuts() { return outs; }
    int swapOutDevice(int j) { return outDevice[check(j, outs)]; }
    int swapOutHost(int j) { return outHost[check(j, outs)]; }
    int swapIns() { return ins; }
    int swapInHost(int j) { return inHost[check(j, ins)]; }
    int swapInDevice(int j) { return inDevice[check(j, ins)]; }
    /** Of the swap-outs, those that keep an evicted prefix-cache block in the host tier. */
    int offloaded() { return offloaded; }
    /** Of the swap-ins, those that bring back a prefix-cache block from the host tier. */
    int reloaded() { return reloaded; }

    private static int check(int j, int count) {
        if (j < 0 || j >= count) throw new IndexOutOfBoundsException("copy " + j + " of " + count);
        return j;
    }
}
