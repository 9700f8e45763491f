package org.switchboard.proxy;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.switchboard.config.ConfigException;
import org.switchboard.config.ConfigLoader;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.proxy.demo.Demo;
import org.switchboard.proxy.demo.DemoWorkers;
import org.switchboard.routing.RouteTablePrinter;
import org.switchboard.routing.RoutingSnapshot;
import org.switchboard.routing.SynapsePreset;

/** The command line: run with a config, check a config, or run the demo. */
public final class Main {
    private static final java.time.Duration RELOAD_POLL_INTERVAL = java.time.Duration.ofSeconds(10);

    static final String USAGE = String.join("\n",
            "Usage: java -jar switchboard.jar [--config FILE] [--check] [--print-routes] [--demo]",
            "  --config FILE  run with this YAML config (without it: 0.0.0.0:8080 -> 127.0.0.1:8008)",
            "  --check        validate the config and exit 0 (valid) or 1 (invalid), like nginx -t",
            "  --print-routes print the effective route table (after presets and role fallback) and exit",
            "  --demo         start fake Synapse workers on loopback and a proxy in front of them");

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
        boolean check = false;
        boolean demo = false;
        boolean printRoutes = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        err.println("--config needs a file\n" + USAGE);
                        return 2;
                    }
                    configFile = Path.of(args[++i]);
                }
                case "--check" -> check = true;
                case "--demo" -> demo = true;
                case "--print-routes" -> printRoutes = true;
                case "--help", "-h" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> {
                    err.println("unknown argument: " + args[i] + "\n" + USAGE);
                    return 2;
                }
            }
        }
        if (demo) {
            return runDemo(out);
        }
        SwitchboardSpec spec;
        if (configFile == null) {
            spec = SwitchboardSpec.singleSynapseDefault();
        } else {
            try {
                spec = ConfigLoader.load(configFile);
            } catch (ConfigException e) {
                err.println("invalid config " + configFile + ":");
                e.errors().forEach(error -> err.println("  " + error));
                return 1;
            }
        }
        if (printRoutes) {
            out.print(RouteTablePrinter.print(RoutingSnapshot.compile(spec), SynapsePreset.builtIn()));
            return 0;
        }
        if (check) {
            java.util.List<String> errors = checkCertificates(spec);
            if (!errors.isEmpty()) {
                err.println("invalid config " + configFile + ":");
                errors.forEach(error -> err.println("  " + error));
                return 1;
            }
            out.println("config " + (configFile == null ? "(built-in default)" : configFile) + " is valid");
            return 0;
        }
        Switchboard switchboard;
        try {
            switchboard = Switchboard.start(spec, Transport.best());
        } catch (Exception e) {
            err.println("could not start: " + e.getMessage());
            return 1;
        }
        AutoCloseable watcher = configFile == null ? null
                : Reloader.enable(switchboard, configFile, RELOAD_POLL_INTERVAL, true);
        awaitShutdown(switchboard, watcher);
        return -1;
    }

    /** Every certificate pair of every TLS listener loaded and checked as a start would; the errors, located. */
    private static java.util.List<String> checkCertificates(SwitchboardSpec spec) {
        java.util.List<String> errors = new java.util.ArrayList<>();
        org.switchboard.proxy.tls.TlsContexts contexts =
                org.switchboard.proxy.tls.TlsContexts.best(new org.switchboard.proxy.tls.TicketKeys());
        for (int i = 0; i < spec.listeners().size(); i++) {
            if (spec.listeners().get(i).isTls()) {
                try {
                    org.switchboard.proxy.tls.ListenerTls.check(i, spec.listeners().get(i), contexts);
                } catch (org.switchboard.proxy.tls.TlsStartException e) {
                    errors.addAll(e.errors());
                }
            }
        }
        return errors;
    }

    private static int runDemo(PrintStream out) throws Exception {
        DemoWorkers workers = Demo.startWorkers();
        Switchboard switchboard;
        try {
            switchboard = Switchboard.start(Demo.config(workers), Transport.best());
        } catch (Exception e) {
            workers.close();
            out.println("could not start the demo (is port " + Demo.LISTENER.port() + " or "
                    + org.switchboard.config.AdminSpec.DEFAULT_ADDRESS.port() + " in use?): " + e.getMessage());
            return 1;
        }
        out.println(Demo.instructions());
        awaitShutdown(switchboard, workers);
        return -1;
    }

    private static void awaitShutdown(Switchboard switchboard, AutoCloseable alsoClose) throws InterruptedException {
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
}
