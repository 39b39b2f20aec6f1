import { useEffect, useRef, useState, type ReactNode } from "react";

/**
 * A list that renders only the rows in view (plus a few either side), so
 * thousands of records scroll and filter without building thousands of
 * elements. Rows have one fixed height. ↑/↓/Home/End move the selection.
 */
export function VirtualList<T>({
  items,
  rowHeight,
  height,
  keyOf,
  selectedKey,
  onSelect,
  renderRow,
  label,
  virtual = true,
}: {
  items: T[];
  rowHeight: number;
  height: number;
  keyOf: (item: T) => string;
  selectedKey: string | null;
  onSelect: (item: T) => void;
  renderRow: (item: T, selected: boolean) => ReactNode;
  label: string;
  /** False renders every row (the baseline the measurement compares against). */
  virtual?: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const overscan = 6;
  const first = virtual ? Math.max(0, Math.floor(top / rowHeight) - overscan) : 0;
  const last = virtual ? Math.min(items.length, Math.ceil((top + height) / rowHeight) + overscan) : items.length;
  const selectedIndex = selectedKey === null ? -1 : items.findIndex((i) => keyOf(i) === selectedKey);

  // Keep the selected row in view (and focused) when it moves by keyboard.
  const [focusIndex, setFocusIndex] = useState<number | null>(null);
  useEffect(() => {
    if (focusIndex === null || !box.current) return;
    const el = box.current;
    const rowTop = focusIndex * rowHeight;
    if (rowTop < el.scrollTop) el.scrollTop = rowTop;
    else if (rowTop + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = rowTop + rowHeight - el.clientHeight;
    const button = el.querySelector<HTMLElement>(`[data-index="${focusIndex}"] button`);
    button?.focus();
  }, [focusIndex, rowHeight, top]);

  function move(to: number) {
    if (items.length === 0) return;
    const index = Math.max(0, Math.min(items.length - 1, to));
    onSelect(items[index]);
    setFocusIndex(index);
  }

  return (
    <div
      ref={box}
      className="virtual-list"
      style={{ maxHeight: height }}
      onScroll={(e) => setTop(e.currentTarget.scrollTop)}
      onKeyDown={(e) => {
        const from = focusIndex ?? selectedIndex;
        if (e.key === "ArrowDown") move(from + 1);
        else if (e.key === "ArrowUp") move(from - 1);
        else if (e.key === "Home") move(0);
        else if (e.key === "End") move(items.length - 1);
        else return;
        e.preventDefault();
      }}
    >
      <ul className="items" aria-label={label} style={{ height: items.length * rowHeight, position: "relative", margin: 0 }}>
        {items.slice(first, last).map((item, offset) => {
          const index = first + offset;
          const key = keyOf(item);
          return (
            <li
              key={key}
              data-index={index}
              aria-setsize={items.length}
              aria-posinset={index + 1}
              style={{ position: "absolute", top: index * rowHeight, left: 0, right: 0, height: rowHeight }}
            >
              {renderRow(item, key === selectedKey)}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
