package org.switchboard.benchmarks;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.switchboard.config.Cidr;
import org.switchboard.config.ClientAddressSpec;
import org.switchboard.routing.ClientAddressResolver;

/**
 * Client-address resolution: an untrusted peer (the common case: nothing to parse) and a trusted
 * load balancer's three-hop X-Forwarded-For chain. Run: java -jar benchmarks/target/benchmarks.jar ClientAddress
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class ClientAddressBenchmark {
    private final ClientAddressResolver resolver = new ClientAddressResolver(new ClientAddressSpec(List.of(
            Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8"))));
    private final byte[] untrustedPeer = Cidr.IpLiterals.parse("203.0.113.7");
    private final byte[] trustedPeer = Cidr.IpLiterals.parse("10.0.0.7");
    private final List<String> chain = List.of("198.51.100.9, 10.2.2.2", "10.1.1.1");

    @Benchmark
    public ClientAddressResolver.Resolved untrustedPeer() {
        return resolver.resolve(untrustedPeer, "203.0.113.7", List.of("1.2.3.4"));
    }

    @Benchmark
    public ClientAddressResolver.Resolved trustedChainOfThree() {
        return resolver.resolve(trustedPeer, "10.0.0.7", chain);
    }
}
