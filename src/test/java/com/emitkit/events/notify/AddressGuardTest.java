package com.emitkit.events.notify;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressGuardTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.5.6.7", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
            "169.254.169.254", "169.254.0.1", "100.64.0.1", "100.100.100.200", "0.0.0.0", "224.0.0.1", "255.255.255.255",
            "198.18.0.1", "192.0.0.1", "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
            "64:ff9b::a00:1", "2002:a00:1::1", "ff02::1"})
    void refusesEveryInternalRange(String address) throws Exception {
        assertTrue(AddressGuard.internal(InetAddress.getByName(address)), address);
        AddressGuard guard = new AddressGuard(false, host -> new InetAddress[] {InetAddress.getByName(address)});
        assertThrows(AddressGuard.RefusedAddress.class, () -> guard.check("hooks.example.com"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::6810:84e5", "::ffff:8.8.8.8"})
    void letsPublicAddressesThrough(String address) throws Exception {
        assertFalse(AddressGuard.internal(InetAddress.getByName(address)), address);
    }

    @Test
    void refusesAHostnameResolvingToAnInternalAddressAmongPublicOnes() {
        AddressGuard guard = new AddressGuard(false, host -> new InetAddress[] {
                InetAddress.getByName("93.184.216.34"), InetAddress.getByName("10.1.2.3")});
        AddressGuard.RefusedAddress refused = assertThrows(AddressGuard.RefusedAddress.class, () -> guard.check("rebind.example"));
        assertTrue(refused.getMessage().contains("10.1.2.3"));
    }

    @Test
    void refusesLocalhostThroughTheSystemResolver() {
        assertThrows(AddressGuard.RefusedAddress.class, () -> new AddressGuard(false).check("localhost"));
    }

    @Test
    void connectsToTheAddressItChecked() throws Exception {
        InetAddress checked = InetAddress.getByName("93.184.216.34");
        AddressGuard guard = new AddressGuard(false, host -> new InetAddress[] {checked});
        assertEquals(checked, guard.check("hooks.example.com"));
    }

    @Test
    void allowsInternalAddressesWhenConfigured() throws Exception {
        AddressGuard guard = new AddressGuard(true, host -> new InetAddress[] {InetAddress.getByName("127.0.0.1")});
        assertEquals(InetAddress.getByName("127.0.0.1"), guard.check("localhost"));
    }

    @Test
    void anUnknownHostIsAnError() {
        AddressGuard guard = new AddressGuard(false, host -> {
            throw new UnknownHostException(host);
        });
        assertThrows(UnknownHostException.class, () -> guard.check("nowhere.invalid"));
    }
}
