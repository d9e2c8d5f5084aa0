using System.Security.Cryptography;
using System.Text;

namespace Experiments.Actors.Cluster;

/// <summary>
/// The join handshake's proof: HMAC-SHA256 of the coordinator's one-time nonce under the shared
/// secret, so the secret itself never crosses the network and an old proof is worth nothing.
/// </summary>
public static class ClusterSecret
{
    public const string Variable = "EXPERIMENTS_CLUSTER_SECRET";

    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string Proof(string secret, string nonce) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes("experiments-join/1|" + nonce)));

    public static bool Verify(string secret, string nonce, string proof) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Proof(secret, nonce)), Encoding.ASCII.GetBytes(proof));
}
