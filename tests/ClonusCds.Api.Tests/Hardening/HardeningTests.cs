using System.Net;
using ClonusCds.Api.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClonusCds.Api.Tests.Hardening;

/// <summary>Security headers, transport, Kestrel limits (issue 4, items 4 and 5).</summary>
public sealed class SecurityHeaderTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData("GET", "/api/v1/knowledge")]
    [InlineData("GET", "/no/such/route")]
    [InlineData("POST", "/api/v1/assessments")]
    [InlineData("GET", "/cds-services")]
    public async Task Every_response_carries_the_security_headers_and_no_server_banner(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = Http.Json("{\"clonus\":{\"present\":\"yes\"}}");
        }

        var response = await _client.SendAsync(request);

        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal(SecurityHeaders.ApiPolicy, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.False(response.Headers.Contains("Server"));
    }

    [Fact]
    public async Task The_swagger_page_gets_a_strict_policy_and_has_no_inline_script()
    {
        var response = await _client.GetAsync("/swagger/index.html");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        // script-src 'self' blocks inline scripts: the page must not depend on one.
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)[^>]*>", html);
    }

    [Fact]
    public async Task Patient_responses_are_not_cached()
    {
        var assessment = await _client.PostAsync("/api/v1/assessments", Http.Json("{\"clonus\":{\"present\":true}}"));
        var cds = await _client.PostAsync("/cds-services/clonus-patient-view", Http.Json(
            """{"hook":"patient-view","hookInstance":"a1","context":{"patientId":"p1"},"prefetch":{"patient":null,"conditions":null,"medications":null,"vitals":null,"labs":null,"findings":null}}"""));

        Assert.Equal(HttpStatusCode.OK, assessment.StatusCode);
        Assert.Equal(HttpStatusCode.OK, cds.StatusCode);
        Assert.True(assessment.Headers.CacheControl?.NoStore);
        Assert.True(cds.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public void Kestrel_limits_are_set_deliberately_from_configuration()
    {
        var kestrel = factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;

        Assert.Equal(4 * 1024 * 1024, kestrel.Limits.MaxRequestBodySize);
        Assert.Equal(32 * 1024, kestrel.Limits.MaxRequestHeadersTotalSize);
        Assert.Equal(64, kestrel.Limits.MaxRequestHeaderCount);
        Assert.Equal(8 * 1024, kestrel.Limits.MaxRequestLineSize);
        Assert.Equal(TimeSpan.FromSeconds(60), kestrel.Limits.KeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), kestrel.Limits.RequestHeadersTimeout);
        Assert.Equal(1024, kestrel.Limits.MaxConcurrentConnections);
        Assert.False(kestrel.AddServerHeader);
    }
}

/// <summary>HTTPS redirection and HSTS outside Development.</summary>
public sealed class TransportTests
{
    private sealed class ProductionLike : ClonusApiFactory
    {
        protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("https_port", "443");
    }

    private sealed class Development : ClonusApiFactory
    {
        protected override void Configure(IWebHostBuilder builder) => builder.UseEnvironment("Development");
    }

    [Fact]
    public async Task Outside_development_http_is_redirected_to_https()
    {
        using var factory = new ProductionLike();
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync("/api/v1/knowledge");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal("https://localhost/api/v1/knowledge", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task Outside_development_https_responses_carry_hsts()
    {
        using var factory = new ProductionLike();
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://cds.example.org") });

        var response = await client.GetAsync("/api/v1/knowledge");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var hsts = Assert.Single(response.Headers.GetValues("Strict-Transport-Security"));
        Assert.Contains("max-age=31536000", hsts, StringComparison.Ordinal);
        Assert.Contains("includeSubDomains", hsts, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Development_serves_plain_http_without_redirect()
    {
        using var factory = new Development();
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync("/api/v1/knowledge");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

/// <summary>Per-client rate limiting: 429 ProblemDetails with Retry-After.</summary>
public sealed class RateLimitingTests
{
    private sealed class Limited : ClonusApiFactory
    {
        protected override void Configure(IWebHostBuilder builder)
        {
            builder.UseSetting("RateLimiting:Enabled", "true");
            builder.UseSetting("RateLimiting:PermitsPerSecond", "1");
            builder.UseSetting("RateLimiting:Burst", "3");
        }
    }

    [Fact]
    public async Task Over_the_burst_a_client_gets_429_with_retry_after_and_problem_details()
    {
        using var factory = new Limited();
        var client = factory.CreateClient();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 6; i++)
        {
            var response = await client.GetAsync("/api/v1/knowledge");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], statuses.Take(3));
        Assert.NotNull(limited);
        Assert.Equal("application/problem+json", limited.MediaType());
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        var body = await Http.Read(limited);
        Assert.Equal(429, body.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Health_probes_are_never_limited()
    {
        using var factory = new Limited();
        var client = factory.CreateClient();

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        }
    }

    [Fact]
    public async Task Rate_limiting_is_off_only_when_configured_off()
    {
        // ClonusApiFactory turns it off explicitly; without that setting it is on.
        using var factory = new ClonusApiFactory();
        var client = factory.CreateClient();
        for (var i = 0; i < 250; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/knowledge")).StatusCode);
        }

        Assert.True(new RateLimitingOptions().Enabled);
    }
}
