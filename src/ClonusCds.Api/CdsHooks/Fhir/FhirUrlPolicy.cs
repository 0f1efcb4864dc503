namespace ClonusCds.Api.CdsHooks.Fhir;

/// <summary>
/// Where the caller's FHIR bearer token may go. Decided on <b>parsed</b> URLs, never on text
/// prefixes: scheme, host (IDN-normalised to its ASCII form, case-insensitive, a trailing dot
/// ignored) and effective port must be equal, the path must sit under the base by whole segments,
/// and a URL carrying userinfo (<c>user@host</c>) is never used. The same rule confines
/// <c>fhirServer</c> to the configured allow-list and every followed <c>next</c> link, fetched or
/// prefetched by the caller, to the <c>fhirServer</c> it belongs to.
/// </summary>
internal static class FhirUrlPolicy
{
    /// <summary>
    /// A usable fhirServer: absolute, https (http only when <paramref name="allowHttp"/>), no
    /// userinfo, no fragment; under one of <paramref name="allowedServers"/> when any are configured
    /// (an entry that is not such a URL matches nothing).
    /// </summary>
    public static bool IsAllowedServer(Uri server, IReadOnlyList<string> allowedServers, bool allowHttp)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(allowedServers);
        if (!IsCallable(server, allowHttp))
        {
            return false;
        }

        if (allowedServers.Count == 0)
        {
            return true;
        }

        foreach (var entry in allowedServers)
        {
            if (Uri.TryCreate(entry, UriKind.Absolute, out var allowed) && IsCallable(allowed, allowHttp: true) && IsUnder(server, allowed))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A link (a searchset's next page) the token may follow: same origin as the server and under its path.</summary>
    public static bool IsFollowable(string? link, Uri server, out Uri? url)
    {
        ArgumentNullException.ThrowIfNull(server);
        url = null;
        if (link is null || !Uri.TryCreate(link, UriKind.Absolute, out var parsed) || !IsCallable(parsed, allowHttp: true)
            || !IsUnder(parsed, server))
        {
            return false;
        }

        url = parsed;
        return true;
    }

    /// <summary>
    /// Same scheme, host and effective port, and <paramref name="url"/>'s path equal to the base's
    /// or below it by whole segments (<c>/fhir</c> does not cover <c>/fhir-other</c>).
    /// </summary>
    public static bool IsUnder(Uri url, Uri baseUri)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(baseUri);
        if (!string.Equals(url.Scheme, baseUri.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(Host(url), Host(baseUri), StringComparison.Ordinal)
            || url.Port != baseUri.Port)
        {
            return false;
        }

        var basePath = baseUri.AbsolutePath.TrimEnd('/');
        var path = url.AbsolutePath;
        return basePath.Length == 0
            || string.Equals(path.TrimEnd('/'), basePath, StringComparison.Ordinal)
            || (path.StartsWith(basePath, StringComparison.Ordinal) && path.Length > basePath.Length && path[basePath.Length] == '/');
    }

    /// <summary>Absolute http(s), no userinfo, no fragment, a host.</summary>
    private static bool IsCallable(Uri url, bool allowHttp) =>
        url.IsAbsoluteUri
        && (url.Scheme == Uri.UriSchemeHttps || (allowHttp && url.Scheme == Uri.UriSchemeHttp))
        && url.UserInfo.Length == 0
        && url.Fragment.Length == 0
        && Host(url).Length > 0;

    /// <summary>The host in its ASCII (punycode) form, lower case, without a trailing dot.</summary>
    private static string Host(Uri url) => url.IdnHost.TrimEnd('.').ToLowerInvariant();
}
