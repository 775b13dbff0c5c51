package com.emitkit.events.notify;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Keeps webhooks away from the service's own network (SSRF): a host is resolved, every address it resolves
 * to is checked, and the caller connects to the checked address, so a name that changes its answer between
 * the check and the connection (DNS rebinding) cannot slip through.
 */
final class AddressGuard {

    /** Name resolution, replaceable in tests. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** A host that resolves to an address a webhook may not reach. */
    static final class RefusedAddress extends Exception {
        RefusedAddress(String message) {
            super(message, null, false, false);
        }
    }

    private final boolean allowPrivate;
    private final Resolver resolver;

    AddressGuard(boolean allowPrivate, Resolver resolver) {
        this.allowPrivate = allowPrivate;
        this.resolver = resolver;
    }

    AddressGuard(boolean allowPrivate) {
        this(allowPrivate, InetAddress::getAllByName);
    }

    /** The address to connect to for {@code host}, once every address it resolves to passed. Blocks (DNS). */
    InetAddress check(String host) throws UnknownHostException, RefusedAddress {
        InetAddress[] addresses = resolver.resolve(host);
        if (!allowPrivate) {
            for (InetAddress address : addresses) {
                if (internal(address)) {
                    throw new RefusedAddress(host + " resolves to " + address.getHostAddress()
                            + ", a loopback, private, link-local or reserved address");
                }
            }
        }
        return addresses[0];
    }

    /** Loopback, private, link-local (cloud metadata included), shared, multicast or otherwise not public. */
    static boolean internal(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return internalV4(bytes);
        }
        if (address instanceof Inet6Address) {
            int first = bytes[0] & 0xff;
            // fc00::/7: unique local addresses (AWS's metadata service listens on fd00:ec2::254).
            if ((first & 0xfe) == 0xfc) {
                return true;
            }
            // IPv4 inside IPv6: ::/96 (compatible), 64:ff9b::/96 (NAT64) and 2002::/16 (6to4) reach an IPv4 address.
            if (allZero(bytes, 0, 12) || prefix(bytes, new byte[] {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0})) {
                return internalV4(new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]});
            }
            if (first == 0x20 && bytes[1] == 0x02) {
                return internalV4(new byte[] {bytes[2], bytes[3], bytes[4], bytes[5]});
            }
        }
        return false;
    }

    private static boolean internalV4(byte[] bytes) {
        int a = bytes[0] & 0xff;
        int b = bytes[1] & 0xff;
        return a == 0                                   // 0.0.0.0/8: "this network"
                || a == 10                              // 10/8
                || a == 127                             // 127/8
                || a == 169 && b == 254                 // 169.254/16: link-local, cloud metadata
                || a == 172 && (b & 0xf0) == 16         // 172.16/12
                || a == 192 && b == 168                 // 192.168/16
                || a == 100 && (b & 0xc0) == 64         // 100.64/10: carrier-grade NAT (Alibaba's metadata)
                || a == 192 && b == 0 && (bytes[2] & 0xff) == 0  // 192.0.0/24: IETF protocol assignments
                || a == 198 && (b & 0xfe) == 18         // 198.18/15: benchmarking
                || a >= 224;                            // multicast, reserved, broadcast
    }

    private static boolean allZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean prefix(byte[] bytes, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
