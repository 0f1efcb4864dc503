using System.Collections.Frozen;
using System.Diagnostics;
using ClonusCds.Api.CdsHooks;
using OpenTelemetry;

namespace ClonusCds.Api.Infrastructure.Telemetry;

/// <summary>
/// Strips every span of what could carry patient data before any exporter sees it (it is added to
/// the tracer provider ahead of the exporters). Attributes are kept by allow-list, so whatever an
/// instrumentation adds in a later version is dropped rather than exported:
/// <list type="bullet">
/// <item>server spans keep method, route template, status code, scheme, protocol version and
/// error type: never <c>url.path</c>, <c>url.query</c>, <c>user_agent.original</c>, client or host
/// addresses;</item>
/// <item>client spans (FHIR and JWKS fetches) keep method, status code, server address and port,
/// protocol version and error type, and <c>url.full</c> rewritten by <see cref="RedactUrl"/> to
/// scheme://host[:port]/{ResourceType};</item>
/// <item>the span name becomes "METHOD route" (server) or "METHOD" (client); a status
/// description (it can quote an exception message) is removed.</item>
/// </list>
/// Exception events are not recorded at all (RecordException is off in the instrumentation).
/// </summary>
internal sealed class TelemetryRedaction : BaseProcessor<Activity>
{
    private const string Method = "http.request.method";
    private const string Route = "http.route";
    private const string UrlFull = "url.full";

    private static readonly FrozenSet<string> ServerTags = new[]
    {
        Method, Route, "http.response.status_code", "url.scheme", "network.protocol.version", "error.type",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> ClientTags = new[]
    {
        Method, UrlFull, "http.response.status_code", "server.address", "server.port", "network.protocol.version", "error.type",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The FHIR resource types the service reads: those its prefetch templates search or read, and
    /// Medication (references). Only these names survive in a redacted URL.
    /// </summary>
    internal static readonly FrozenSet<string> ResourceTypes = CdsServiceCatalog.Prefetch.Values
        .Select(t => t.Split('/', '?')[0])
        .Append("Medication")
        .ToFrozenSet(StringComparer.Ordinal);

    /// <inheritdoc />
    public override void OnEnd(Activity data) => Scrub(data);

    /// <summary>Applies the rules above to one finished span.</summary>
    internal static void Scrub(Activity activity)
    {
        var client = activity.Kind == ActivityKind.Client;
        var allowed = client ? ClientTags : ServerTags;
        List<string>? drop = null;
        foreach (var tag in activity.TagObjects)
        {
            if (!allowed.Contains(tag.Key))
            {
                (drop ??= []).Add(tag.Key);
            }
        }

        if (drop is not null)
        {
            foreach (var key in drop)
            {
                activity.SetTag(key, null);
            }
        }

        if (client && activity.GetTagItem(UrlFull) is { } url)
        {
            activity.SetTag(UrlFull, RedactUrl(url as string ?? url.ToString()));
        }

        var method = activity.GetTagItem(Method) as string ?? "HTTP";
        activity.DisplayName = !client && activity.GetTagItem(Route) is string route && route.Length > 0 ? $"{method} {route}" : method;
        if (activity.StatusDescription is not null)
        {
            activity.SetStatus(activity.Status);
        }
    }

    /// <summary>
    /// scheme://host[:port]/{ResourceType}: the origin, and the first path segment that is a
    /// resource type the service reads (<see cref="ResourceTypes"/>), or nothing after the slash.
    /// No base path, id, query, fragment or user info. Null for what is not an absolute URL.
    /// </summary>
    internal static string? RedactUrl(string? url)
    {
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.HostNameType == UriHostNameType.Unknown)
        {
            return null;
        }

        var type = "";
        foreach (var segment in uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (ResourceTypes.Contains(segment))
            {
                type = segment;
                break;
            }
        }

        return $"{uri.Scheme}://{uri.Authority}/{type}";
    }
}
