//! Runs the fake ServiceNow / Azure DevOps / Confluence service until
//! killed; prints `ready <url>` once listening. Used by the desktop
//! end-to-end tests.

fn main() {
    let fake = ibridge_testkit::FakeServices::start();
    println!("ready {}", fake.url());
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}
