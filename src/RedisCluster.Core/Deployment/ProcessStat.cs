namespace RedisCluster
{
    /// <summary>Linux's /proc/PID/stat, read the same way on this machine and on a host over SSH.</summary>
    public static class ProcessStat
    {
        /// <summary>
        /// True unless the process is a zombie: a daemon that died stays one until init reaps it, and still has a
        /// /proc entry. The state is the field after the command name, which is in parentheses and may hold any
        /// character, so it is found after the last ')'.
        /// </summary>
        public static bool IsAlive(string statText)
        {
            int close = statText.LastIndexOf(')');
            if (close < 0 || close + 2 >= statText.Length) return false;
            return statText[close + 2] != 'Z';
        }

        public static string PathOf(int processId) => $"/proc/{processId}/stat";
    }
}
