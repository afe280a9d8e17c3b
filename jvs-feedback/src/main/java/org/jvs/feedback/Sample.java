package org.jvs.feedback;

/**
 * A real server's raw figures as a collector read them. A figure the server did not report is NaN (or -1
 * for counts): its metric then drops out of the aggregate and the other coefficients share its part.
 *
 * @param load1          1-minute load average (UCD-SNMP-MIB laLoad.1, /proc/loadavg)
 * @param cpus           number of processors (rows of HOST-RESOURCES-MIB hrProcessorTable, cpuN in /proc/stat)
 * @param diskPercent    percent used of the fullest watched disk (UCD-SNMP-MIB dskPercent, statvfs)
 * @param memTotalKb     real memory, kB (memTotalReal, MemTotal)
 * @param memAvailableKb real memory available, kB (memAvailReal, MemAvailable)
 * @param processes      processes running (hrSystemProcesses, entries of /proc)
 * @param cpuPercent     average processor load over the last minute, percent (hrProcessorLoad); shown, not used
 */
public record Sample(double load1, int cpus, double diskPercent, long memTotalKb, long memAvailableKb, long processes,
                     double cpuPercent) {

    /** Percent of real memory in use, or NaN when either figure is missing. */
    public double memoryPercent() {
        if (memTotalKb <= 0 || memAvailableKb < 0) {
            return Double.NaN;
        }
        return 100.0 * (memTotalKb - Math.min(memAvailableKb, memTotalKb)) / memTotalKb;
    }

    /** True when the server reported nothing the formula can use. */
    public boolean empty() {
        return Double.isNaN(load1) && Double.isNaN(diskPercent) && Double.isNaN(memoryPercent()) && processes < 0;
    }
}
