using System.Net;
using System.Net.Sockets;

namespace ClonusCds.Api.CdsHooks.Fhir;

/// <summary>
/// Which network addresses the FHIR fetch may connect to, decided at connect time on the addresses
/// DNS actually returned (<see cref="SocketsHttpHandler.ConnectCallback"/>), so a name that resolves
/// to an internal address — or is re-pointed there between checks (DNS rebinding) — cannot turn the
/// service into a scanner of the hospital network. Loopback, private (RFC 1918), carrier-grade NAT
/// (100.64/10), link-local, unique-local (fc00::/7), unspecified, multicast and broadcast
/// addresses are refused by default. <c>CdsHooks:Fhir:AllowLoopback</c> allows loopback
/// (development and tests); <c>CdsHooks:Fhir:AllowedPrivateHosts</c> names the FHIR servers that
/// may live on a private network (a hospital's usually does).
/// </summary>
internal static class FhirAddressPolicy
{
    /// <summary>The kind of address, for the decision and the log.</summary>
    public enum Kind
    {
        /// <summary>A public address.</summary>
        Public,
        /// <summary>127.0.0.0/8 or ::1.</summary>
        Loopback,
        /// <summary>RFC 1918, CGNAT, link-local, unique-local, site-local.</summary>
        Private,
        /// <summary>Unspecified, multicast or broadcast: never a FHIR server.</summary>
        Never,
    }

    /// <summary>Classifies an address (IPv4-mapped IPv6 addresses as their IPv4 address).</summary>
    public static Kind Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return Kind.Loopback;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 => Kind.Never,
                10 => Kind.Private,
                100 when b[1] >= 64 && b[1] <= 127 => Kind.Private,
                169 when b[1] == 254 => Kind.Private,
                172 when b[1] >= 16 && b[1] <= 31 => Kind.Private,
                192 when b[1] == 168 => Kind.Private,
                >= 224 => Kind.Never, // multicast, reserved and broadcast
                _ => Kind.Public,
            };
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6None) || address.IsIPv6Multicast)
            {
                return Kind.Never;
            }

            var b = address.GetAddressBytes();
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || (b[0] & 0xFE) == 0xFC
                ? Kind.Private
                : Kind.Public;
        }

        return Kind.Never;
    }

    /// <summary>Whether the fetch may connect to <paramref name="address"/> for <paramref name="host"/>.</summary>
    public static bool Permitted(IPAddress address, string host, FhirFetchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Classify(address) switch
        {
            Kind.Public => true,
            Kind.Loopback => options.AllowLoopback,
            Kind.Private => options.AllowedPrivateHosts.Any(h => string.Equals(h.TrimEnd('.'), host.TrimEnd('.'), StringComparison.OrdinalIgnoreCase)),
            _ => false,
        };
    }

    /// <summary>
    /// The connect callback: resolves the host, keeps the permitted addresses and connects to the
    /// first that answers; refuses (an <see cref="HttpRequestException"/>) when none is permitted.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, FhirFetchOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
        Exception? last = null;
        foreach (var address in addresses)
        {
            if (!Permitted(address, host, options))
            {
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
        }

        throw last is null
            ? new FhirAddressRefusedException("The FHIR server's address is not one this service may connect to (loopback, private or reserved).")
            : new HttpRequestException("The FHIR server could not be reached.", last);
    }
}

/// <summary>
/// The connect callback refused every address of the FHIR server (<see cref="FhirAddressPolicy"/>);
/// the handler wraps it in its own <see cref="HttpRequestException"/>. Told apart for the
/// <c>clonus.fhir.fetch</c> outcome "refused".
/// </summary>
internal sealed class FhirAddressRefusedException : HttpRequestException
{
    public FhirAddressRefusedException() : base("The FHIR server's address is not one this service may connect to.") { }

    public FhirAddressRefusedException(string message) : base(message) { }

    public FhirAddressRefusedException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Whether <paramref name="exception"/> or one of its inner exceptions is a refusal.</summary>
    public static bool In(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is FhirAddressRefusedException)
            {
                return true;
            }
        }

        return false;
    }
}
