package org.jvs.director.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jvs.cli.IpvsadmParser;
import org.junit.jupiter.api.Test;

/**
 * The bundle's hand-written files stay true to the code: jvsadm's man page and its bash completion name every
 * option jvsadm takes, and the completion offers every scheduler the man page lists.
 */
class PackagingFilesTest {
    static final Path PACKAGING = Path.of("..", "packaging");
    /** Options jvsadm handles before ipvsadm's parser sees the line (JvsadmMain, L7Listing, FeedbackCli, VrrpListing). */
    static final Set<String> DIRECTOR_OPTIONS = Set.of("import-keepalived", "l7", "targets", "feedback", "vrrp");

    static Set<String> allLong() {
        Set<String> all = new TreeSet<>(IpvsadmParser.longOptions());
        all.addAll(DIRECTOR_OPTIONS);
        return all;
    }

    @Test
    void theManPageDescribesEveryOption() throws Exception {
        String man = Files.readString(PACKAGING.resolve("man/jvsadm.8"));
        List<String> missing = new ArrayList<>();
        for (String o : allLong()) {
            if (!man.contains("\\-\\-" + o.replace("-", "\\-"))) {
                missing.add("--" + o);
            }
        }
        for (char c : IpvsadmParser.shortOptions()) {
            if (!man.contains("\\-" + c)) {
                missing.add("-" + c);
            }
        }
        assertThat(missing).as("options jvsadm takes that man jvsadm does not describe").isEmpty();
    }

    @Test
    void theCompletionOffersEveryOption() throws Exception {
        String completion = Files.readString(PACKAGING.resolve("completion/jvsadm.bash"));
        List<String> missing = new ArrayList<>();
        for (String o : allLong()) {
            if (!completion.contains(" --" + o + " ") && !completion.contains(" --" + o + "\"")) {
                missing.add("--" + o);
            }
        }
        for (char c : IpvsadmParser.shortOptions()) {
            if (!completion.contains(" -" + c + " ") && !completion.contains("\"-" + c + " ")) {
                missing.add("-" + c);
            }
        }
        assertThat(missing).as("options jvsadm takes that its completion does not offer").isEmpty();
    }

    @Test
    void theBundledLaunchersAndUnitNameWhatExists() throws Exception {
        String unit = Files.readString(PACKAGING.resolve("jvs.service"));
        assertThat(unit).contains("Type=notify", "AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN", "NoNewPrivileges=yes",
                "ProtectSystem=strict", "ExecReload=/bin/kill -HUP $MAINPID");
        String launcher = Files.readString(PACKAGING.resolve("launcher/jvs"));
        for (String main : List.of("org.jvs.director.DirectorMain", "org.jvs.director.QuickstartMain", "org.jvs.director.api.TokenMain",
                "org.jvs.director.importer.ImportMain", "org.jvs.feedback.AgentMain", "org.jvs.realserver.RealServerMain")) {
            assertThat(launcher).contains(main);
            assertThat(Class.forName(main).getMethod("main", String[].class)).as(main).isNotNull();
        }
    }
}
