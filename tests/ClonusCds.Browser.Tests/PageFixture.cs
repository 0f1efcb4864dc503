using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace ClonusCds.Browser.Tests;

/// <summary>
/// The real service on a loopback port (Kestrel, not TestServer: a browser must reach it) and one
/// headless chromium, shared by every browser test. Each test opens its own browser context.
/// </summary>
public sealed class PageFixture(IMessageSink messages) : IAsyncLifetime, IAsyncDisposable
{
    private readonly string _feedbackDatabase = Path.Combine(Path.GetTempPath(), $"clonus-browser-feedback-{Guid.NewGuid():N}.db");
    private ServiceFactory? _service;
    private IPlaywright? _playwright;

    /// <summary>http://127.0.0.1:port of the running service.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The shared browser.</summary>
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var chromium = Chromium.Provision(Say);

        _service = new ServiceFactory(_feedbackDatabase);
        _service.UseKestrel(0);
        _service.StartServer();
        var address = _service.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = Chromium.Arguments,
        });
    }

    /// <summary>A fresh page on the clinician page, loaded.</summary>
    public async Task<IPage> OpenAsync(ViewportSize? viewport = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(10_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.WaitForSelectorAsync("html[data-ready='true']");
        return page;
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _feedbackDatabase, _feedbackDatabase + "-wal", _feedbackDatabase + "-shm" })
        {
            try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private void Say(string message)
    {
        // Shown in `dotnet test` output (xunit.runner.json: diagnosticMessages) and on stderr.
        messages.OnMessage(new DiagnosticMessage(message));
        Console.Error.WriteLine(message);
    }

    /// <summary>The service as the tests run it: no bearer tokens, no rate limit, a feedback database of its own.</summary>
    private sealed class ServiceFactory(string feedbackDatabase) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("Auth:RequireBearer", "false");
            builder.UseSetting("CdsHooks:Trust:RequireJwt", "false");
            builder.UseSetting("CdsHooks:Feedback:DatabasePath", feedbackDatabase);
            builder.UseSetting("RateLimiting:Enabled", "false");
            builder.UseSetting("Transport:HttpsRedirection", "false");
        }
    }
}

/// <summary>One service and one browser for every browser test class.</summary>
[CollectionDefinition(Name)]
public sealed class ClinicianPage : ICollectionFixture<PageFixture>
{
    public const string Name = "clinician page";
}
