package org.jvs.core.sched;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ProximityRule;

/**
 * Longest-prefix match of an address against the client prefixes of the global server scheduling table.
 * Immutable once built (on the control thread), so data-plane threads read it without any lock. One
 * open-addressing table holds every (family, length, masked prefix); a lookup tries the distinct lengths
 * from the longest down, one probe run each: at most 33 (IPv4) or 129 (IPv6) short probes however many
 * rules there are, and nothing allocated.
 */
final class PrefixTable {
    private static final long SEED = 0x4753_5072_6566_6978L;

    /** Distinct (family, length) codes, longest first: {@code length | (v6 ? 256 : 0)}. */
    private final int[] codes;
    private final long[] codeMaskHi;
    private final long[] codeMaskLo;
    private final long[] keyHi;
    private final long[] keyLo;
    private final int[] keyCode;
    /** Rule index per slot; -1 marks a free slot. */
    private final int[] rule;
    private final int mask;

    /** Builds the table; of several rules with the same prefix the first one wins. */
    PrefixTable(List<ProximityRule> rules) {
        TreeSet<Integer> distinct = new TreeSet<>(
                Comparator.comparingInt((Integer c) -> c & 0xFF).reversed().thenComparingInt(c -> c));
        for (ProximityRule r : rules) {
            distinct.add(code(r.prefix().v6(), r.prefixLength()));
        }
        codes = distinct.stream().mapToInt(Integer::intValue).toArray();
        codeMaskHi = new long[codes.length];
        codeMaskLo = new long[codes.length];
        for (int i = 0; i < codes.length; i++) {
            int len = codes[i] & 0xFF;
            if ((codes[i] & 256) != 0) {
                codeMaskHi[i] = IpAddr.maskHi(len);
                codeMaskLo[i] = IpAddr.maskLo(len);
            } else {
                codeMaskHi[i] = 0;
                codeMaskLo[i] = len == 0 ? 0 : (0xFFFF_FFFFL << (32 - len)) & 0xFFFF_FFFFL;
            }
        }
        int capacity = Integer.highestOneBit(Math.max(1, rules.size()) * 2) << 1;
        keyHi = new long[capacity];
        keyLo = new long[capacity];
        keyCode = new int[capacity];
        rule = new int[capacity];
        Arrays.fill(rule, -1);
        mask = capacity - 1;
        for (int r = 0; r < rules.size(); r++) {
            ProximityRule pr = rules.get(r);
            int c = code(pr.prefix().v6(), pr.prefixLength());
            long hi = pr.prefix().hi();
            long lo = pr.prefix().lo();
            int i = slot(hi, lo, c);
            while (rule[i] >= 0 && !(keyHi[i] == hi && keyLo[i] == lo && keyCode[i] == c)) {
                i = (i + 1) & mask;
            }
            if (rule[i] < 0) {
                keyHi[i] = hi;
                keyLo[i] = lo;
                keyCode[i] = c;
                rule[i] = r;
            }
        }
    }

    private static int code(boolean v6, int length) {
        return length | (v6 ? 256 : 0);
    }

    private int slot(long hi, long lo, int code) {
        return (int) AddrHash.hash(SEED, hi, lo, code) & mask;
    }

    /** Index of the rule with the longest prefix containing the address, or -1. */
    int match(boolean v6, long hi, long lo) {
        int family = v6 ? 256 : 0;
        for (int k = 0; k < codes.length; k++) {
            int c = codes[k];
            if ((c & 256) != family) {
                continue;
            }
            long mh = hi & codeMaskHi[k];
            long ml = lo & codeMaskLo[k];
            int i = slot(mh, ml, c);
            while (true) {
                int r = rule[i];
                if (r < 0) {
                    break;
                }
                if (keyHi[i] == mh && keyLo[i] == ml && keyCode[i] == c) {
                    return r;
                }
                i = (i + 1) & mask;
            }
        }
        return -1;
    }
}
