"""Images in posts: a safe fetcher, IOM3 logo detection and perceptual hashes.

Nothing heavy is imported here: OpenCV, Pillow and imagehash load only when a module of this
package that needs them is imported, so `run_monitor.py --help` stays fast.
"""
