namespace Experiments.Host.Tests;

/// <summary>Which --urls need a token: every address is checked, and only what is provably loopback is free.</summary>
public sealed class BindingSpecs
{
    [Theory]
    [InlineData("http://127.0.0.1:5080")]
    [InlineData("http://localhost:5080")]
    [InlineData("http://LOCALHOST:5080/")]
    [InlineData("http://[::1]:5080")]
    [InlineData("http://127.0.0.2:5080")]
    [InlineData("http://127.0.0.1:5080;http://localhost:5081")]
    [InlineData("http://127.0.0.1:5080; http://[::1]:5081 ;")]
    public void Should_allow_loopback_addresses_without_a_token(string urls) =>
        Assert.Null(HttpApi.CheckBinding(urls, token: null));

    [Theory]
    [InlineData("http://localhost:5080/;http://0.0.0.0:5081", "http://0.0.0.0:5081")]
    [InlineData("http://127.0.0.1:5080;http://+:5081", "http://+:5081")]
    [InlineData("http://*:5081", "http://*:5081")]
    [InlineData("http://[::]:5081", "http://[::]:5081")]
    [InlineData("http://example.internal:5081", "http://example.internal:5081")]
    [InlineData("http://localhost.example.com:5081", "http://localhost.example.com:5081")]
    [InlineData("http://192.168.1.4:5081", "http://192.168.1.4:5081")]
    [InlineData("http://[::ffff:10.0.0.1]:5081", "http://[::ffff:10.0.0.1]:5081")]
    [InlineData("http://unix:/tmp/experiments.sock", "http://unix:/tmp/experiments.sock")]
    public void Should_require_a_token_for_any_address_not_provably_loopback(string urls, string culprit)
    {
        var problem = HttpApi.CheckBinding(urls, token: null);
        Assert.NotNull(problem);
        Assert.Contains(culprit, problem);
        Assert.Contains(HttpApi.TokenVariable, problem);
        Assert.Null(HttpApi.CheckBinding(urls, token: "s3cret"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(";")]
    [InlineData("127.0.0.1:5080")]
    [InlineData("http://127.0.0.1:port")]
    public void Should_name_an_address_that_is_not_a_url(string urls)
    {
        var problem = HttpApi.CheckBinding(urls, token: "s3cret");
        Assert.NotNull(problem);
        Assert.StartsWith("--urls:", problem);
    }

    [Theory]
    [InlineData("Bearer s3cret", true)]
    [InlineData("Bearer s3cre", false)]
    [InlineData("Bearer s3creT", false)]
    [InlineData("Bearer s3cret ", false)]
    [InlineData("bearer s3cret", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Should_accept_only_the_exact_bearer_token(string? header, bool accepted) =>
        Assert.Equal(accepted, HttpApi.IsAuthorized(header, "s3cret"));
}
