package org.jvs.feedback;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The agent's figures, read from this machine's /proc and statvfs: the same ones net-snmp serves, so a
 * server answers the director alike with either collector.
 */
public final class ProcFigures {
    private final Path proc;
    private final List<Path> disks;

    /** @param proc the proc filesystem (tests give a fake tree); @param disks mount points whose fullest counts */
    public ProcFigures(Path proc, List<Path> disks) {
        this.proc = proc;
        this.disks = List.copyOf(disks);
    }

    public Sample read() throws IOException {
        String[] loadavg = Files.readString(proc.resolve("loadavg")).strip().split("\\s+");
        double load1 = Double.parseDouble(loadavg[0]);
        int cpus = (int) Files.readAllLines(proc.resolve("stat")).stream().filter(l -> l.matches("cpu\\d+\\s.*")).count();
        long total = -1;
        long available = -1;
        for (String line : Files.readAllLines(proc.resolve("meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                total = kb(line);
            } else if (line.startsWith("MemAvailable:")) {
                available = kb(line);
            }
        }
        long processes = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(proc, p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path ignored : ds) {
                processes++;
            }
        }
        return new Sample(load1, cpus, fullestDisk(), total, available, processes, Double.NaN);
    }

    /** Percent used as df and net-snmp's dskPercent count it: used / (used + available to users). */
    private double fullestDisk() throws IOException {
        double worst = Double.NaN;
        for (Path d : disks) {
            FileStore fs = Files.getFileStore(d);
            long used = fs.getTotalSpace() - fs.getUnallocatedSpace();
            long avail = fs.getUsableSpace();
            if (used + avail > 0) {
                double pct = 100.0 * used / (used + avail);
                worst = Double.isNaN(worst) ? pct : Math.max(worst, pct);
            }
        }
        return worst;
    }

    private static long kb(String line) {
        String[] f = line.split("\\s+");
        return Long.parseLong(f[1]);
    }
}
