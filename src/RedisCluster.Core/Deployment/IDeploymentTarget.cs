using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// A machine nodes are deployed to. The local machine is one; a host reached over SSH is another,
    /// so the deployment steps never care which.
    /// </summary>
    public interface IDeploymentTarget
    {
        string ComputerName { get; }
        bool FileExists(string path);
        void CreateDirectory(string path);

        /// <summary>Writes a file readable by its owner only: node configs hold passwords.</summary>
        void WritePrivateFile(string path, string content);

        string ReadFile(string path);
        void DeleteFile(string path);

        /// <summary>Runs a program with arguments (never secrets) and returns its exit code and output.</summary>
        Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, CancellationToken cancellationToken);

        bool IsProcessRunning(int processId);
        string FindProgram(string name);
    }
}
