//! The process's resident set size, from `/proc/self/status`.

/// `VmRSS` of this process in KiB, or `None` where `/proc` is not available.
pub fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_rss(&status)
}

fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vm_rss() {
        let status = "Name:\tbench\nVmPeak:\t  9000 kB\nVmRSS:\t   12345 kB\nThreads:\t3\n";
        assert_eq!(parse_vm_rss(status), Some(12_345));
        assert_eq!(parse_vm_rss("Name:\tx\n"), None);
    }

    #[test]
    fn grows_with_touched_memory() {
        let Some(before) = resident_kib() else { return };
        let block = vec![1u8; 64 << 20];
        let after = resident_kib().unwrap();
        assert!(after >= before + 32 * 1024, "{before} -> {after} KiB");
        drop(block);
    }
}
