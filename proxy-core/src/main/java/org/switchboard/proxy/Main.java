package org.switchboard.proxy;

import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.switchboard.config.AdminSpec;
import org.switchboard.config.ConfigException;
import org.switchboard.config.ConfigLoader;
import org.switchboard.config.FileChecks;
import org.switchboard.config.LoggingSpec;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.proxy.demo.Demo;
import org.switchboard.proxy.demo.DemoWorkers;
import org.switchboard.proxy.health.SynapseVersionWatch;
import org.switchboard.proxy.logging.LogSetup;
import org.switchboard.proxy.server.NettyDefaults;
import org.switchboard.proxy.server.Reloader;
import org.switchboard.proxy.server.Switchboard;
import org.switchboard.proxy.server.Transport;
import org.switchboard.proxy.server.Version;
import org.switchboard.proxy.tls.TlsFileChecks;
import org.switchboard.routing.FollowedSynapse;
import org.switchboard.routing.RouteTablePrinter;
import org.switchboard.routing.RoutingSnapshot;
import org.switchboard.routing.SynapsePreset;
import org.switchboard.routing.TokenUsers;

/** The command line: run with a config, check a config, or run the demo. */
public final class Main {
    private static final Duration RELOAD_POLL_INTERVAL = Duration.ofSeconds(10);

    static final String USAGE = String.join("\n",
            "Usage: java -jar switchboard.jar [--config FILE] [--check | --print-routes | --demo | --version]",
            "  --config FILE  run with this YAML config (without it: 0.0.0.0:8080 -> 127.0.0.1:8008)",
            "  --check        validate the config and open the files it names (access log, admin token, TLS",
            "                 certificates), list every error at once, then exit 0 (valid) or 1 (invalid), like nginx -t",
            "  --print-routes print the effective route table (after presets, role fallback and the Synapse release",
            "                 followed; with synapse.version auto, main is asked which release it runs) and exit",
            "  --demo         start fake Synapse workers on loopback and a proxy in front of them",
            "  --version      print Switchboard's version and the Synapse release the built-in table follows");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        NettyDefaults.apply();
        int status = run(args, System.out, System.err);
        if (status >= 0) {
            System.exit(status);
        }
    }

    /** Returns an exit status, or -1 when the proxy is running and the process must stay up. */
    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Path configFile = null;
        String mode = null; // at most one of --check, --print-routes, --demo, --version, --help
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length || args[i + 1].isEmpty()) {
                        err.println("--config needs a file\n" + USAGE);
                        return 2;
                    }
                    if (configFile != null) {
                        err.println("--config given twice: which file is meant?\n" + USAGE);
                        return 2;
                    }
                    try {
                        configFile = Path.of(args[++i]);
                    } catch (InvalidPathException e) {
                        err.println("--config " + args[i] + ": not a file path\n" + USAGE);
                        return 2;
                    }
                }
                case "--check", "--print-routes", "--demo", "--version", "--help", "-h" -> {
                    String asked = args[i].equals("-h") ? "--help" : args[i];
                    if (mode != null && !mode.equals(asked)) {
                        // --check --demo must not start servers, nor --check --version pass a broken config.
                        err.println(mode + " and " + asked + " do not go together\n" + USAGE);
                        return 2;
                    }
                    mode = asked;
                }
                default -> {
                    err.println("unknown argument: " + args[i] + "\n" + USAGE);
                    return 2;
                }
            }
        }
        if ("--help".equals(mode)) {
            out.println(USAGE);
            return 0;
        }
        if ("--version".equals(mode)) {
            out.println(Version.line());
            return 0;
        }
        boolean check = "--check".equals(mode);
        boolean demo = "--demo".equals(mode);
        boolean printRoutes = "--print-routes".equals(mode);
        if (demo && configFile != null) {
            err.println("--demo runs its own config; --config does not go with it\n" + USAGE);
            return 2;
        }
        if (demo) {
            return runDemo(out);
        }
        SwitchboardSpec spec;
        TlsFileChecks tlsChecks = new TlsFileChecks();
        if (configFile == null) {
            spec = SwitchboardSpec.singleSynapseDefault();
        } else {
            try {
                // One round lists everything: the document's errors and what its files are like.
                FileChecks checks = printRoutes ? FileChecks.NONE : check ? tlsChecks : FileChecks.FILES;
                spec = ConfigLoader.load(configFile, checks);
            } catch (ConfigException e) {
                err.println("invalid config " + configFile + ":");
                e.errors().forEach(error -> err.println("  " + error));
                return 1;
            }
        }
        if (printRoutes) {
            // With synapse.version auto, main is asked which release it runs (a few seconds at most).
            FollowedSynapse followed =
                    SynapseVersionWatch.askOnce(spec, Duration.ofSeconds(3));
            out.print(RouteTablePrinter.print(RoutingSnapshot.compile(spec, SynapsePreset.builtIn(),
                    TokenUsers.NONE, null, followed), SynapsePreset.builtIn()));
            return 0;
        }
        if (check) {
            tlsChecks.warnings().forEach(warning -> err.println("warning: " + warning));
            Switchboard.warnings(spec, RoutingSnapshot.compile(spec)).forEach(warning -> err.println("warning: " + warning));
            out.println(configFile == null
                    ? "config (built-in default; no file given, so none was checked) is valid"
                    : "config " + configFile + " is valid");
            return 0;
        }
        LogSetup.install(spec.logging());
        Switchboard switchboard;
        try {
            switchboard = Switchboard.start(spec, Transport.best());
        } catch (Exception e) {
            err.println("could not start: " + e.getMessage());
            return 1;
        }
        AutoCloseable watcher = configFile == null ? null
                : Reloader.enable(switchboard, configFile, RELOAD_POLL_INTERVAL, true,
                        next -> LogSetup.install(next.logging()));
        awaitShutdown(switchboard, watcher);
        return -1;
    }

    private static int runDemo(PrintStream out) throws Exception {
        LogSetup.install(LoggingSpec.DEFAULTS);
        DemoWorkers workers = Demo.startWorkers();
        Switchboard switchboard;
        try {
            switchboard = Switchboard.start(Demo.config(workers), Transport.best());
        } catch (Exception e) {
            workers.close();
            out.println("could not start the demo (is port " + Demo.LISTENER.port() + " or "
                    + AdminSpec.DEFAULT_ADDRESS.port() + " in use?): " + e.getMessage());
            return 1;
        }
        out.println(Demo.instructions());
        awaitShutdown(switchboard, workers);
        return -1;
    }

    /**
     * SIGTERM (Kubernetes stopping the pod) drains first and exits 0 when the drain is done;
     * SIGINT (Ctrl-C) and anything else that ends the JVM stop at once.
     */
    private static void awaitShutdown(Switchboard switchboard, AutoCloseable alsoClose) throws InterruptedException {
        drainOnSigterm(switchboard);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            switchboard.close();
            if (alsoClose != null) {
                try {
                    alsoClose.close();
                } catch (Exception ignored) {
                    // Shutting down anyway.
                }
            }
            stopped.countDown();
        }, "switchboard-shutdown"));
        stopped.await();
    }

    /** A drain, by SIGTERM or POST /drain, ends the process with 0 once nothing is left to serve. */
    private static void drainOnSigterm(Switchboard switchboard) {
        // Exits from a thread of its own: the drain ends on an event loop, which exit's shutdown
        // hook waits to see stopped.
        switchboard.drained().whenComplete((done, failure) ->
                new Thread(() -> System.exit(0), "switchboard-exit").start());
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> switchboard.drain("SIGTERM"));
        } catch (IllegalArgumentException unsupported) {
            // No SIGTERM here (not a POSIX system): the shutdown hook stops the proxy at once.
        }
    }
}
